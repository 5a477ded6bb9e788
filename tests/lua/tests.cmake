# Lua binding and `gradlab run` tests: script tests driven by run_case.sh (exit status, stderr
# message, run folder files), the stock-lua5.4 require test and the sweep protocol.
set(LUA_T ${CMAKE_CURRENT_LIST_DIR})
set(LUA_CASE sh ${LUA_T}/run_case.sh $<TARGET_FILE:gradlab_cli>)
set(LUA_ENV "GRADLAB_PLUGIN_PATH=;GRADLAB_PLOT=0;ASAN_OPTIONS=detect_leaks=1")

# name, expected exit status, stderr regex, script, extra run options
function(gradlab_lua_case name rc regex script)
  add_test(NAME lua_${name} COMMAND ${LUA_CASE} ${rc} ${regex} ${script} ${ARGN})
  set_tests_properties(lua_${name} PROPERTIES ENVIRONMENT "${LUA_ENV}")
endfunction()

# Working scripts.
gradlab_lua_case(build 0 ANY ${LUA_T}/scripts/build.lua
  --seed 7 --set depth=3 --set act=relu --set lr=0.5 -- one two)
gradlab_lua_case(xor 0 ANY ${LUA_T}/scripts/xor.lua)
gradlab_lua_case(seed_query 0 ANY ${LUA_T}/scripts/seed_query.lua --seed 7)
gradlab_lua_case(blas_threads 0 ANY ${LUA_T}/scripts/blas_threads.lua)
gradlab_lua_case(exact_numbers 0 ANY ${LUA_T}/scripts/exact_numbers.lua --set p=9007199254740991
  --set big=9007199254740993)
gradlab_lua_case(loss_shapes 0 ANY ${LUA_T}/scripts/loss_shapes.lua)
gradlab_lua_case(manual_epoch 0 ANY ${LUA_T}/scripts/manual_epoch.lua)
gradlab_lua_case(has_type 0 ANY ${LUA_T}/scripts/has_type.lua)
gradlab_lua_case(stats 0 ANY ${LUA_T}/scripts/stats.lua)
gradlab_lua_case(widths 0 ANY ${LUA_T}/scripts/widths.lua)
gradlab_lua_case(history_paths 0 ANY ${LUA_T}/scripts/history_paths.lua)
gradlab_lua_case(clip_negative 0 ANY ${LUA_T}/scripts/clip_negative.lua)
gradlab_lua_case(contract 0 ANY ${LUA_T}/scripts/contract.lua)
gradlab_lua_case(time_fd 0 ANY ${LUA_T}/scripts/time_fd.lua)
gradlab_lua_case(param_types 0 ANY ${LUA_T}/scripts/param_types.lua
  --set flag=true --set off=false --set n=3 --set x=0.5 --set s=hi)
gradlab_lua_case(same_stats 0 ANY ${LUA_T}/scripts/same_stats.lua)
gradlab_lua_case(sweep 0 ANY ${LUA_T}/scripts/sweep.lua --set act=relu)
gradlab_lua_case(sweep_values 0 ANY ${LUA_T}/scripts/sweep_values.lua)
gradlab_lua_case(result_flatten 0 ANY ${LUA_T}/scripts/result_flatten.lua)
gradlab_lua_case(result_lone 0 ANY ${LUA_T}/scripts/result_lone.lua)
gradlab_lua_case(nonfinite 0 ANY ${LUA_T}/scripts/nonfinite.lua)
gradlab_lua_case(drop_last 0 ANY ${LUA_T}/scripts/drop_last.lua)
gradlab_lua_case(batch_count 0 ANY ${LUA_T}/scripts/batch_count.lua)
gradlab_lua_case(model_name 0 ANY ${LUA_T}/scripts/model_name.lua)
gradlab_lua_case(finite_options 0 ANY ${LUA_T}/scripts/finite_options.lua)
gradlab_lua_case(option_checks 0 ANY ${LUA_T}/scripts/option_checks.lua)
gradlab_lua_case(class_targets 0 ANY ${LUA_T}/scripts/class_targets.lua)
gradlab_lua_case(label_errors 0 ANY ${LUA_T}/scripts/label_errors.lua)
gradlab_lua_case(nan_text 0 ANY ${LUA_T}/scripts/nan_text.lua)
gradlab_lua_case(real_fit 0 ANY ${LUA_T}/scripts/real_fit.lua)
gradlab_lua_case(int_options 0 ANY ${LUA_T}/scripts/int_options.lua --set epochs=4294967296)
gradlab_lua_case(unwind 0 ANY ${LUA_T}/errors/unwind.lua)
# A file that cannot be written is named as given, not by its temporary name (item: net:save).
gradlab_lua_case(save_path 0 ANY ${LUA_T}/scripts/save_path.lua)

# Script errors: FILE:LINE: message (+ traceback), exit 1, run folder marked unfinished.
gradlab_lua_case(err_syntax 1 "syntax\\.lua:3: .*unexpected symbol" ${LUA_T}/errors/syntax.lua)
gradlab_lua_case(err_runtime 1 "runtime\\.lua:5: attempt to index a nil value" ${LUA_T}/errors/runtime.lua)
gradlab_lua_case(err_traceback 1 "stack traceback:" ${LUA_T}/errors/runtime.lua)
gradlab_lua_case(err_unknown_layer 1
  "unknown_layer\\.lua:2: gradlab\\.layer: unknown layer type 'dens'. did you mean 'dense'"
  ${LUA_T}/errors/unknown_layer.lua)
gradlab_lua_case(err_unknown_option 1
  "unknown_option\\.lua:2: gradlab\\.layer\\.dense: .*'bias_int'.*did you mean 'bias_init'"
  ${LUA_T}/errors/unknown_option.lua)
gradlab_lua_case(err_unknown_optim 1
  "unknown_optim\\.lua:2: gradlab\\.optim: unknown optimizer 'adma'. did you mean 'adam'"
  ${LUA_T}/errors/unknown_optim.lua)
gradlab_lua_case(err_wrong_type 1
  "wrong_type\\.lua:2: gradlab\\.layer\\.dense: option 'inputs' must be an integer, got table"
  ${LUA_T}/errors/wrong_type.lua)
gradlab_lua_case(err_wrong_arg 1
  "wrong_arg\\.lua:2: bad argument #1 to 'tensor' \\(tensor or table of numbers expected, got boolean\\)"
  ${LUA_T}/errors/wrong_arg.lua)
gradlab_lua_case(err_shape 1 "shape_mismatch\\.lua:6: net:forward: .*head.*\\[1\\]\\[3\\]"
  ${LUA_T}/errors/shape_mismatch.lua)
gradlab_lua_case(err_callback 1 "callback_error\\.lua:7: callback failed at step 2"
  ${LUA_T}/errors/callback_error.lua)
gradlab_lua_case(err_partial 1 "partial\\.lua:8: deliberate failure" ${LUA_T}/errors/partial.lua)
# A result that cannot be stored without losing data: an error naming the script and the key.
gradlab_lua_case(err_result_collide 1
  "bad_result\\.lua: result: key 'a\\.b' comes from both a\\.b and \\[\"a\\.b\"\\]: one value would be lost"
  ${LUA_T}/errors/bad_result.lua -- collide)
gradlab_lua_case(err_result_float_key 1 "result: the result table has the key 1\\.5: only string and integer keys"
  ${LUA_T}/errors/bad_result.lua -- float_key)
gradlab_lua_case(err_result_bool_key 1 "result: the result table has a boolean as a key"
  ${LUA_T}/errors/bad_result.lua -- bool_key)
gradlab_lua_case(err_result_table_key 1 "result: the result table has a table as a key"
  ${LUA_T}/errors/bad_result.lua -- table_key)
gradlab_lua_case(err_result_function 1 "result: f is a function: only numbers, strings, booleans"
  ${LUA_T}/errors/bad_result.lua -- function)
gradlab_lua_case(err_result_lone_function 1 "result: the result is a function"
  ${LUA_T}/errors/bad_result.lua -- lone_function)

# SIGTERM: recorded as unfinished, then the process ends by the signal.
gradlab_lua_case(err_sigterm 143 "sigterm\\.lua:[0-9]+: interrupted by signal 15" ${LUA_T}/errors/sigterm.lua)

# A signal during a gradlab.train with no callback stops it within a step (without that, the
# 10^8 epochs run into the timeout); two signals in a row, or one during the final flush, still
# leave a complete run folder (run_case.sh also checks that no .part file is left).
gradlab_lua_case(interrupt_int 130 "interrupt_train\\.lua:[0-9]+: interrupted by signal 2"
  ${LUA_T}/errors/interrupt_train.lua -- INT)
gradlab_lua_case(interrupt_term 143 "interrupt_train\\.lua:[0-9]+: interrupted by signal 15"
  ${LUA_T}/errors/interrupt_train.lua -- TERM)
gradlab_lua_case(interrupt_pretrain 130 "interrupt_pretrain\\.lua:[0-9]+: interrupted by signal 2"
  ${LUA_T}/errors/interrupt_pretrain.lua)
set_tests_properties(lua_interrupt_int lua_interrupt_term lua_interrupt_pretrain PROPERTIES TIMEOUT 60)
add_test(NAME lua_batch_timeout COMMAND sh ${LUA_T}/batch_timeout.sh $<TARGET_FILE:gradlab_cli>
  ${LUA_T}/errors/interrupt_train.lua)
set_tests_properties(lua_batch_timeout PROPERTIES ENVIRONMENT "${LUA_ENV}" TIMEOUT 60)
# SIGHUP (a closed terminal) as SIGTERM: stopped within a step, folder written, ended by it.
gradlab_lua_case(interrupt_hup 129 "interrupt_train\\.lua:[0-9]+: interrupted by signal 1"
  ${LUA_T}/errors/interrupt_train.lua -- HUP)
set_tests_properties(lua_interrupt_hup PROPERTIES TIMEOUT 60)
# A reader of stdout that went away (| head): the run goes on, log.txt gets every line.
add_test(NAME lua_sigpipe COMMAND sh ${LUA_T}/sigpipe.sh $<TARGET_FILE:gradlab_cli>
  ${LUA_T}/scripts/printy.lua)
set_tests_properties(lua_sigpipe PROPERTIES ENVIRONMENT "${LUA_ENV}" TIMEOUT 60)
gradlab_lua_case(signal_twice 143 "interrupted by signal 15" ${LUA_T}/errors/signal_twice.lua)
gradlab_lua_case(signal_flush 143 ANY ${LUA_T}/errors/signal_flush.lua)
set_tests_properties(lua_signal_twice lua_signal_flush PROPERTIES TIMEOUT 60)

# os.exit(code) ends the script through the normal path: the folder is written (finished only
# for 0) and the process exits with the code, also from a pcall or a training callback.
gradlab_lua_case(os_exit_0 0 ANY ${LUA_T}/errors/os_exit.lua -- 0)
gradlab_lua_case(os_exit_3 3 ANY ${LUA_T}/errors/os_exit.lua -- 3)
gradlab_lua_case(os_exit_pcall 3 ANY ${LUA_T}/errors/os_exit.lua -- 3 pcall)
gradlab_lua_case(os_exit_callback 4 ANY ${LUA_T}/errors/os_exit.lua -- 4 callback)
# Any code but 0 is a failure (finished = false), said on stderr; the shell sees code & 255, and
# a code whose low byte is 0 (256) ends with 1, never with 0.
gradlab_lua_case(os_exit_256 1 "os_exit\\.lua ended by os\\.exit\\(256\\)" ${LUA_T}/errors/os_exit.lua -- 256)
gradlab_lua_case(os_exit_257 1 "ended by os\\.exit\\(257\\)" ${LUA_T}/errors/os_exit.lua -- 257)
gradlab_lua_case(os_exit_minus1 255 "ended by os\\.exit\\(-1\\)" ${LUA_T}/errors/os_exit.lua -- -1)

# Argument checks: the value's type for callbacks, negative seeds, nested tables for the losses,
# function names in argument errors, holes in tensor tables.
gradlab_lua_case(err_on_step_type 1 "on_step_type\\.lua:8: gradlab\\.train: 'on_step' must be a function, got string"
  ${LUA_T}/errors/on_step_type.lua)
gradlab_lua_case(err_seed_negative 1 "seed_negative\\.lua:2: bad argument #1 to 'seed' \\(a seed is an integer from 0 to 9007199254740991"
  ${LUA_T}/errors/seed_negative.lua)
gradlab_lua_case(tensor_tables 0 ANY ${LUA_T}/scripts/tensor_tables.lua)
# An allocation that fails (10^12 elements) is an error naming function, size and shape. Under
# ASan the allocator must return NULL for it instead of aborting, and its "failed to allocate"
# warning goes to a log file (a real report still fails the test by its exit status).
gradlab_lua_case(alloc_fail 0 ANY ${LUA_T}/scripts/alloc_fail.lua)
set(LUA_ALLOC_ASAN "detect_leaks=1:allocator_may_return_null=1")
if(GRADLAB_SANITIZE)
  string(APPEND LUA_ALLOC_ASAN ":log_path=${CMAKE_CURRENT_BINARY_DIR}/lua_alloc_fail.asan")
endif()
set_tests_properties(lua_alloc_fail PROPERTIES ENVIRONMENT
  "GRADLAB_PLUGIN_PATH=;GRADLAB_PLOT=0;ASAN_OPTIONS=${LUA_ALLOC_ASAN}")
gradlab_lua_case(method_names 0 ANY ${LUA_T}/scripts/method_names.lua)
gradlab_lua_case(seed_max 0 ANY ${LUA_T}/scripts/seed_max.lua --seed 9007199254740991
  --set big=1e300 --set n=3)

# --out DIR that holds a run: refused (exit 2) unless --overwrite, which removes only the old
# run's files; a directory as the script is bad usage.
add_test(NAME lua_overwrite COMMAND sh ${LUA_T}/overwrite.sh $<TARGET_FILE:gradlab_cli>
  ${LUA_T}/scripts/stats.lua ${LUA_T}/scripts/xor.lua)
set_tests_properties(lua_overwrite PROPERTIES ENVIRONMENT "${LUA_ENV}")

# A probe (a backward no step follows) is recorded even when it is the model's last backward.
add_test(NAME lua_probe_rows COMMAND sh ${LUA_T}/probe_rows.sh $<TARGET_FILE:gradlab_cli>)
set_tests_properties(lua_probe_rows PROPERTIES ENVIRONMENT "${LUA_ENV}")

# A run folder in use by a run is locked: a second run into it (even with --overwrite) is
# refused naming the pid, exit 1; the first run's files stay its own.
add_test(NAME lua_run_lock COMMAND sh ${LUA_T}/run_lock.sh $<TARGET_FILE:gradlab_cli>
  ${LUA_T}/scripts/printy.lua ${LUA_T}/scripts/xor.lua)
set_tests_properties(lua_run_lock PROPERTIES ENVIRONMENT "${LUA_ENV}" TIMEOUT 60)

# A run folder that fills up (a file size limit standing in for a full disk): exit 1 with the
# message, finished = false with the error, whole files only.
add_test(NAME lua_disk_full COMMAND bash ${LUA_T}/disk_full.sh $<TARGET_FILE:gradlab_cli>
  ${LUA_T}/scripts/long_train.lua)
set_tests_properties(lua_disk_full PROPERTIES ENVIRONMENT "${LUA_ENV}")

# Plugins load before the run folder is made; a plugin that cannot be loaded, crashes (SIGSEGV)
# or calls exit() in its init: a message naming the file, and no run folder; a crash while the
# script runs names the script.
foreach(mode SEGV EXIT)
  string(TOLOWER ${mode} lmode)
  add_library(lua_test_fatal_${lmode} MODULE ${LUA_T}/plugin_fatal.c)
  target_link_libraries(lua_test_fatal_${lmode} PRIVATE gradlab)
  target_compile_definitions(lua_test_fatal_${lmode} PRIVATE FATAL_${mode})
  set_target_properties(lua_test_fatal_${lmode} PROPERTIES PREFIX "" C_VISIBILITY_PRESET hidden
    OUTPUT_NAME fatal_${lmode} LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/lua_fatal)
endforeach()
add_test(NAME lua_err_plugin COMMAND sh ${LUA_T}/fatal.sh $<TARGET_FILE:gradlab_cli>
  $<TARGET_FILE:lua_test_fatal_segv> $<TARGET_FILE:lua_test_fatal_exit>
  $<TARGET_FILE:batch_crash_plugin> ${LUA_T}/scripts/xor.lua
  ${PROJECT_SOURCE_DIR}/tests/batch/scripts/crash.lua)
set_tests_properties(lua_err_plugin PROPERTIES ENVIRONMENT "${LUA_ENV}")

# An error object that is not a string names its line; a __gc error is printed, not lost.
gradlab_lua_case(err_table 1 "err_table.lua:5: \\(error object is a table value\\)"
  ${LUA_T}/scripts/err_table.lua)
gradlab_lua_case(gc_warning 0 "Lua warning: error in __gc \\(.*gc_warning.lua:4: boom in __gc\\)"
  ${LUA_T}/scripts/gc_warning.lua)

# Bad usage: exit 2, no run folder.
add_test(NAME lua_usage_no_script COMMAND sh -c "\"$0\" run 2>&1; test $? -eq 2" $<TARGET_FILE:gradlab_cli>)
set_tests_properties(lua_usage_no_script PROPERTIES PASS_REGULAR_EXPRESSION "no script given")
gradlab_lua_case(usage_bad_option 2 "unknown option '--bogus'" ${LUA_T}/scripts/sweep.lua --bogus)
gradlab_lua_case(usage_bad_seed 2 "--seed wants a non-negative integer" ${LUA_T}/scripts/sweep.lua --seed abc)
gradlab_lua_case(usage_bad_set 2 "--set wants KEY=VALUE" ${LUA_T}/scripts/sweep.lua --set novalue)
# an empty --out is bad usage (it was exit 1, "cannot create : No such file or directory"), in
# gradlab batch too
gradlab_lua_case(usage_empty_out 2 "run: --out wants a folder name, got an empty one"
  ${LUA_T}/scripts/sweep.lua --out=)
add_test(NAME lua_usage_batch_empty_out
  COMMAND sh -c "\"$0\" batch \"$1\" --out '' 2>&1; test $? -eq 2" $<TARGET_FILE:gradlab_cli>
          ${LUA_T}/scripts/sweep.lua)
set_tests_properties(lua_usage_batch_empty_out PROPERTIES
  PASS_REGULAR_EXPRESSION "--out wants a folder name, got an empty one")
gradlab_lua_case(usage_missing_script 2 "cannot read script" ${LUA_T}/scripts/does_not_exist.lua)
gradlab_lua_case(usage_dir_script 2 "^gradlab: error: run: .* is a directory, not a script" ${LUA_T}/scripts)
gradlab_lua_case(usage_huge_seed 2 "--seed wants a non-negative integer up to 9007199254740991"
  ${LUA_T}/scripts/sweep.lua --seed 99999999999999999999999)
gradlab_lua_case(usage_seed_2p53 2 "--seed wants" ${LUA_T}/scripts/sweep.lua --seed 9007199254740992)
gradlab_lua_case(usage_set_inf 2 "--set i=1e400: the number is out of range"
  ${LUA_T}/scripts/sweep.lua --set i=1e400)
# --set numbers are decimal (hex, inf, " 3" stay strings); a non-zero one that underflows to 0
# is refused naming the key, as an infinite one is.
gradlab_lua_case(set_decimal 0 ANY ${LUA_T}/scripts/set_decimal.lua --set int=3 --set neg=-2
  --set half=0.5 --set dot=.5 --set milli=1e-3 --set hundred=1E+2 --set big=12345678901234567890
  --set tiny=1e-310 --set hex=0x10 --set inf=inf --set nan=nan "--set=space= 3" --set e=1e
  --set word=relu)
gradlab_lua_case(usage_set_underflow 2 "--set u=1e-400: the number is too small .* give u a value"
  ${LUA_T}/scripts/sweep.lua --set u=1e-400)
# --plugin that does not exist (run, plugins, gradcheck), version with arguments, --out FILE: exit
# 2; --overwrite without --out: a warning; arguments after the script reach it.
add_test(NAME lua_cli_usage COMMAND sh ${LUA_T}/cli_usage.sh $<TARGET_FILE:gradlab_cli>
  ${LUA_T}/scripts/xor.lua ${LUA_T}/scripts/args.lua)
set_tests_properties(lua_cli_usage PROPERTIES ENVIRONMENT "${LUA_ENV}")
add_test(NAME lua_usage_help COMMAND $<TARGET_FILE:gradlab_cli> run --help)
set_tests_properties(lua_usage_help PROPERTIES PASS_REGULAR_EXPRESSION "usage: gradlab run SCRIPT.lua")

# Lua source only: bytecode as the script is refused (exit 2, no folder, no crash on a damaged
# chunk); inside a script load/loadfile default to text, dofile/require take text only.
add_test(NAME lua_binary_chunk COMMAND sh ${LUA_T}/binary_chunk.sh $<TARGET_FILE:gradlab_cli>)
set_tests_properties(lua_binary_chunk PROPERTIES ENVIRONMENT "${LUA_ENV}")
gradlab_lua_case(text_chunks 0 ANY ${LUA_T}/scripts/text_chunks.lua)

# The one reading of --set values (the binding's glab_lua_push_param_value, which gradlab run
# uses for gradlab.params, its checks and summary.json): decimal numbers only, hex and spaces
# stay strings, 1e400 and 1e-400 reported.
add_executable(lua_params ${LUA_T}/test_params.c $<TARGET_OBJECTS:gradlab_lua_objects>)
target_include_directories(lua_params PRIVATE ${PROJECT_SOURCE_DIR}/core/lua ${LUA_INCLUDE_DIRS})
target_link_libraries(lua_params PRIVATE gradlab PkgConfig::LUA PkgConfig::CJSON m)
add_test(NAME lua_params COMMAND lua_params)

# The sweep protocol: with GRADLAB_SWEEP_OUT the grid is written and the script ends (exit 0).
add_test(NAME lua_sweep_out COMMAND sh ${LUA_T}/sweep_out.sh $<TARGET_FILE:gradlab_cli> ${LUA_T}/scripts/sweep.lua)
set_tests_properties(lua_sweep_out PROPERTIES ENVIRONMENT "${LUA_ENV}")

# The module from stock lua5.4 (no liblua linked into the module).
find_program(LUA54_EXECUTABLE NAMES lua5.4 lua54)
if(LUA54_EXECUTABLE)
  set(LUA_REQUIRE_ENV "LUA_CPATH=${CMAKE_BINARY_DIR}/lua/?.so;;" "GRADLAB_PLUGIN_PATH=")
  if(GRADLAB_SANITIZE)
    # The ASan runtime must come first in a host program that was not built with it.
    execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
                    OUTPUT_VARIABLE LUA_ASAN_LIB OUTPUT_STRIP_TRAILING_WHITESPACE)
    list(APPEND LUA_REQUIRE_ENV "LD_PRELOAD=${LUA_ASAN_LIB}" "ASAN_OPTIONS=detect_leaks=0")
  endif()
  add_test(NAME lua_require_stock COMMAND ${LUA54_EXECUTABLE} -e
    "local g = require 'gradlab'; assert(g.version); local n = g.sequential{g.layer.dense{inputs=2, outputs=1}}; print('gradlab ' .. g.version .. ' ok ' .. n:param_count())")
  set_tests_properties(lua_require_stock PROPERTIES ENVIRONMENT "${LUA_REQUIRE_ENV}"
    PASS_REGULAR_EXPRESSION "gradlab [0-9.]+ ok 3")
  add_test(NAME lua_require_plain COMMAND ${LUA54_EXECUTABLE} -e "require 'gradlab'")
  # every fixed name of LUA_API.md, from stock lua5.4 too
  add_test(NAME lua_contract_stock COMMAND ${LUA54_EXECUTABLE} ${LUA_T}/scripts/contract.lua
           ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(lua_contract_stock PROPERTIES ENVIRONMENT "${LUA_REQUIRE_ENV}"
    PASS_REGULAR_EXPRESSION "contract: every fixed name checked")
  set_tests_properties(lua_require_plain PROPERTIES ENVIRONMENT "${LUA_REQUIRE_ENV}")
  # the sweep protocol from stock lua5.4: an error, never an exit of the host
  add_test(NAME lua_sweep_out_stock COMMAND sh ${LUA_T}/sweep_out_stock.sh ${LUA54_EXECUTABLE}
           ${LUA_T}/scripts/sweep.lua)
  set_tests_properties(lua_sweep_out_stock PROPERTIES ENVIRONMENT "${LUA_REQUIRE_ENV}")
endif()

# The Release build (-O3) once warned -Warray-bounds in lua_tensor.c (t:totable's recursion, which
# the compiler could not bound by GLAB_MAX_DIMS): compile it so, with that warning an error.
if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
  list(TRANSFORM LUA_INCLUDE_DIRS PREPEND -I OUTPUT_VARIABLE LUA_T_INCLUDES)
  add_test(NAME lua_tensor_array_bounds COMMAND ${CMAKE_C_COMPILER} -std=c11 -O3 -DNDEBUG
    -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror=array-bounds
    -I${PROJECT_SOURCE_DIR}/core/lua -I${PROJECT_SOURCE_DIR}/include -I${CMAKE_BINARY_DIR}/include
    ${LUA_T_INCLUDES} -c ${PROJECT_SOURCE_DIR}/core/lua/lua_tensor.c -o /dev/null)
endif()

# Every runnable example of docs/lua.md.
add_test(NAME lua_doc_examples COMMAND sh ${LUA_T}/doc_examples.sh $<TARGET_FILE:gradlab_cli>
  ${PROJECT_SOURCE_DIR}/docs/lua.md)
set_tests_properties(lua_doc_examples PROPERTIES ENVIRONMENT "${LUA_ENV}")

# Under -DGRADLAB_VALGRIND=ON: the scripts whose bindings raise C errors, and the training paths,
# also run under valgrind memcheck (definite/indirect leaks or errors fail them).
if(GRADLAB_VALGRIND)
  set(LUA_VG "GRADLAB_WRAP=${VALGRIND_EXECUTABLE} --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect")
  foreach(case unwind:0:errors/unwind.lua stats:0:scripts/stats.lua shape:1:errors/shape_mismatch.lua
               callback:1:errors/callback_error.lua unknown_option:1:errors/unknown_option.lua)
    string(REPLACE ":" ";" parts ${case})
    list(GET parts 0 name)
    list(GET parts 1 rc)
    list(GET parts 2 script)
    add_test(NAME lua_vg_${name} COMMAND ${LUA_CASE} ${rc} ANY ${LUA_T}/${script})
    set_tests_properties(lua_vg_${name} PROPERTIES LABELS valgrind TIMEOUT 900
      ENVIRONMENT "${LUA_ENV};OPENBLAS_NUM_THREADS=1;${LUA_VG}")
  endforeach()
endif()

# A dropped-in plugin: its layer type appears under gradlab.layer with no binding change.
set(LUA_PLUGIN_DIR ${CMAKE_BINARY_DIR}/tests/lua_plugins)
add_library(lua_test_times MODULE ${LUA_T}/plugin_times.c)
target_link_libraries(lua_test_times PRIVATE gradlab)
set_target_properties(lua_test_times PROPERTIES PREFIX "" LIBRARY_OUTPUT_DIRECTORY ${LUA_PLUGIN_DIR}
  C_VISIBILITY_PRESET hidden)
gradlab_lua_case(dropin_cli 0 ANY ${LUA_T}/scripts/dropin.lua
  --plugin ${LUA_PLUGIN_DIR}/lua_test_times.so -- cli)
gradlab_lua_case(dropin_load 0 ANY ${LUA_T}/scripts/dropin.lua -- ${LUA_PLUGIN_DIR}/lua_test_times.so)

# Same seed, same machine: bit-identical metrics.
add_test(NAME lua_determinism COMMAND sh ${LUA_T}/determinism.sh $<TARGET_FILE:gradlab_cli>
  ${LUA_T}/scripts/seeded.lua)
set_tests_properties(lua_determinism PROPERTIES ENVIRONMENT "${LUA_ENV}")
