# Plugins area tests: conformance of every registered layer type, optimizers, configs and
# layers, the loader against broken plugins, and the drop-in proof with the installed SDK.
set(GLAB_BROKEN_DIR ${CMAKE_BINARY_DIR}/tests/plugins_broken)
set(GLAB_BROKEN_TARGETS "")
foreach(b nosym noinit dataabi datainit badabi initfail dup_a dup_b dup_dense)
  add_library(broken_${b} MODULE ${CMAKE_CURRENT_LIST_DIR}/broken/${b}.c)
  target_link_libraries(broken_${b} PRIVATE gradlab)
  set_target_properties(broken_${b} PROPERTIES OUTPUT_NAME ${b} PREFIX ""
    LIBRARY_OUTPUT_DIRECTORY ${GLAB_BROKEN_DIR} C_VISIBILITY_PRESET hidden)
  list(APPEND GLAB_BROKEN_TARGETS broken_${b})
endforeach()
# Plugins whose option tables are wrong (a bad default, a name twice): refused at registration.
# Their own folder, so the folder test above keeps its list of failures.
set(GLAB_BADOPTS_DIR ${CMAKE_BINARY_DIR}/tests/plugins_badopts)
foreach(b baddefault dupopt)
  add_library(badopts_${b} MODULE ${CMAKE_CURRENT_LIST_DIR}/badopts/${b}.c)
  target_link_libraries(badopts_${b} PRIVATE gradlab)
  set_target_properties(badopts_${b} PROPERTIES OUTPUT_NAME ${b} PREFIX ""
    LIBRARY_OUTPUT_DIRECTORY ${GLAB_BADOPTS_DIR} C_VISIBILITY_PRESET hidden)
  list(APPEND GLAB_BROKEN_TARGETS badopts_${b})
endforeach()
file(WRITE ${GLAB_BROKEN_DIR}/not_a_plugin.so
  "This text file is named like a plugin but it is not a shared object: dlopen must refuse it\n")

gradlab_add_cunit_test(plugins_conformance ${CMAKE_CURRENT_LIST_DIR}/test_conformance.c)
gradlab_add_cunit_test(plugins_optim ${CMAKE_CURRENT_LIST_DIR}/test_optim.c)
gradlab_add_cunit_test(plugins_config ${CMAKE_CURRENT_LIST_DIR}/test_config.c)
gradlab_add_cunit_test(plugins_loader ${CMAKE_CURRENT_LIST_DIR}/test_loader.c)
target_compile_definitions(plugins_loader PRIVATE BROKEN_DIR="${GLAB_BROKEN_DIR}"
                           BADOPTS_DIR="${GLAB_BADOPTS_DIR}")
foreach(t plugins_conformance plugins_optim plugins_config plugins_loader)
  add_dependencies(${t} plugins)
endforeach()
add_dependencies(plugins_loader ${GLAB_BROKEN_TARGETS})

# The conformance check can fail: a drop-in layer whose fused op has a wrong backward, alone in
# its folder on GRADLAB_PLUGIN_PATH, makes plugins_conformance and `gradlab gradcheck` exit
# non-zero and name it, while the shipped types still pass.
set(GLAB_BADGRAD_DIR ${CMAKE_BINARY_DIR}/tests/plugins_badgrad)
add_library(test_badgrad_plugin MODULE ${CMAKE_CURRENT_LIST_DIR}/badgrad/badgrad.c)
target_link_libraries(test_badgrad_plugin PRIVATE gradlab)
set_target_properties(test_badgrad_plugin PROPERTIES OUTPUT_NAME badgrad PREFIX ""
  LIBRARY_OUTPUT_DIRECTORY ${GLAB_BADGRAD_DIR} C_VISIBILITY_PRESET hidden)
add_dependencies(plugins_conformance test_badgrad_plugin)
add_test(NAME plugins_conformance_catches_bad_plugin COMMAND sh -c
  "out=$(\"$0\" 2>&1); rc=$?; printf '%s\\n' \"$out\"; [ $rc -ne 0 ] || { echo 'exit status 0'; exit 1; }; printf '%s\\n' \"$out\" | grep -Eq '^  badgrad +worst [^ ]+ .*FAIL$' && ! printf '%s\\n' \"$out\" | grep -Ev '^  badgrad ' | grep -q 'FAIL$'"
  $<TARGET_FILE:plugins_conformance>)
add_test(NAME plugins_cli_gradcheck_catches_bad_plugin COMMAND sh -c
  "out=$(\"$0\" gradcheck 2>&1); rc=$?; printf '%s\\n' \"$out\"; [ $rc -eq 1 ] && printf '%s\\n' \"$out\" | grep -Eq '^badgrad +FAIL ' && printf '%s\\n' \"$out\" | grep -Eq '^lstm +ok '"
  $<TARGET_FILE:gradlab_cli>)
set_tests_properties(plugins_conformance_catches_bad_plugin plugins_cli_gradcheck_catches_bad_plugin
  PROPERTIES ENVIRONMENT "GRADLAB_PLUGIN_PATH=${GLAB_BADGRAD_DIR};OPENBLAS_NUM_THREADS=1")

# The drop-in proof: install the SDK into a fresh prefix, build tests/plugin_example against
# it alone, and check the installed gradlab lists it and the conformance suite passes on it.
add_test(NAME plugins_dropin
  COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${CMAKE_BINARY_DIR}
          -DSOURCE_DIR=${PROJECT_SOURCE_DIR}/tests/plugin_example
          -DWORK_DIR=${CMAKE_BINARY_DIR}/tests/plugin_dropin
          -DCONFORMANCE=$<TARGET_FILE:plugins_conformance>
          -P ${PROJECT_SOURCE_DIR}/tests/plugin_example/dropin.cmake)
set_tests_properties(plugins_dropin PROPERTIES ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0"
  TIMEOUT 300)

# The optimizer example of docs/plugins.md is a whole plugin: extracted from the page, built
# against the build tree with strict warnings, and trained with (same weights as momentum).
add_test(NAME plugins_doc_optimizer
  COMMAND ${CMAKE_COMMAND} -DDOC=${PROJECT_SOURCE_DIR}/docs/plugins.md -DCC=${CMAKE_C_COMPILER}
          "-DINCLUDES=${PROJECT_SOURCE_DIR}/include;${PROJECT_BINARY_DIR}/include"
          -DLIB_DIR=$<TARGET_FILE_DIR:gradlab> -DGRADLAB=$<TARGET_FILE:gradlab_cli>
          -DSCRIPT=${CMAKE_CURRENT_LIST_DIR}/scripts/doc_optimizer.lua
          -DWORK_DIR=${CMAKE_BINARY_DIR}/tests/plugins_doc_optimizer
          -P ${CMAKE_CURRENT_LIST_DIR}/doc_optimizer.cmake)
set_tests_properties(plugins_doc_optimizer PROPERTIES
  ENVIRONMENT "GRADLAB_PLUGIN_PATH=;OPENBLAS_NUM_THREADS=1;ASAN_OPTIONS=detect_leaks=0")

# The commands: `gradlab plugins` (list, --describe, suggestions, a broken --plugin) and
# `gradlab gradcheck` (exit status 0 only if every layer type passes).
set(GLAB_CLI $<TARGET_FILE:gradlab_cli>)
add_test(NAME plugins_cli_list COMMAND ${GLAB_CLI} plugins)
set_tests_properties(plugins_cli_list PROPERTIES PASS_REGULAR_EXPRESSION
  "layer +lstm +ABI [0-9]+ \\((float|double)\\) +[^\n]*/plugins/lstm\\.so")
add_test(NAME plugins_cli_describe COMMAND ${GLAB_CLI} plugins --describe lstm)
set_tests_properties(plugins_cli_describe PROPERTIES PASS_REGULAR_EXPRESSION
  "forget_bias +real +1 +initial value of the forget-gate block")
add_test(NAME plugins_cli_describe_optim COMMAND ${GLAB_CLI} plugins --describe momentum)
set_tests_properties(plugins_cli_describe_optim PROPERTIES PASS_REGULAR_EXPRESSION
  "nesterov +bool +false[^\n]*\n[^\n]*\n +clip_norm +real")
add_test(NAME plugins_cli_suggest COMMAND ${GLAB_CLI} plugins --describe dens)
set_tests_properties(plugins_cli_suggest PROPERTIES PASS_REGULAR_EXPRESSION
  "gradlab: error: no type named 'dens'; did you mean 'dense'\\?")
add_test(NAME plugins_cli_broken COMMAND ${GLAB_CLI} plugins --plugin ${GLAB_BROKEN_DIR}/initfail.so)
set_tests_properties(plugins_cli_broken PROPERTIES PASS_REGULAR_EXPRESSION
  "plugin [^\n]*initfail\\.so: init failed[^\n]*frobnicator is missing")
add_test(NAME plugins_cli_gradcheck COMMAND ${GLAB_CLI} gradcheck)
add_test(NAME plugins_cli_gradcheck_unknown COMMAND ${GLAB_CLI} gradcheck lsmt)
set_tests_properties(plugins_cli_gradcheck_unknown PROPERTIES WILL_FAIL TRUE)
# Two plugins registering one layer type name: `gradlab gradcheck` exits 1 and its report says
# why (the clash, naming both files), not "1 of 1 layer types passed".
add_test(NAME plugins_cli_gradcheck_clash COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/gradcheck_clash.sh
  ${GLAB_CLI} ${GLAB_BROKEN_DIR})
set_tests_properties(plugins_cli_gradcheck_clash PROPERTIES ENVIRONMENT "OPENBLAS_NUM_THREADS=1")
set_tests_properties(plugins_cli_list plugins_cli_describe plugins_cli_describe_optim
  plugins_cli_suggest plugins_cli_broken plugins_cli_gradcheck plugins_cli_gradcheck_unknown
  PROPERTIES ENVIRONMENT "GRADLAB_PLUGIN_PATH=")

# A broken .so on the search path is skipped with a warning naming it (one stray file must not
# stop every script); the same file given with --plugin is an error (exit 1).
# (each run into a fresh folder: `gradlab run` refuses a folder that already holds a run)
set(out ${CMAKE_BINARY_DIR}/tests/plugins_run_path)
add_test(NAME plugins_run_broken_on_path COMMAND sh -c "rm -rf '${out}' && exec \"$0\" run \"$1\" --out '${out}'"
  ${GLAB_CLI} ${CMAKE_CURRENT_LIST_DIR}/scripts/tiny.lua)
set_tests_properties(plugins_run_broken_on_path PROPERTIES
  ENVIRONMENT "GRADLAB_PLUGIN_PATH=${GLAB_BROKEN_DIR}/initfail.so;GRADLAB_PLOT=0"
  PASS_REGULAR_EXPRESSION "gradlab: warning: plugin [^\n]*initfail\\.so: init failed[^\n]*\\(skipped\\)")
set(out ${CMAKE_BINARY_DIR}/tests/plugins_run_explicit)
add_test(NAME plugins_run_broken_explicit COMMAND sh -c "rm -rf '${out}' && exec \"$0\" run \"$1\" --out '${out}' --plugin \"$2\""
  ${GLAB_CLI} ${CMAKE_CURRENT_LIST_DIR}/scripts/tiny.lua ${GLAB_BROKEN_DIR}/initfail.so)
set_tests_properties(plugins_run_broken_explicit PROPERTIES WILL_FAIL TRUE
  ENVIRONMENT "GRADLAB_PLUGIN_PATH=;GRADLAB_PLOT=0")

# Fixes found by testing, each as a script run by `gradlab run` (ends with "<name>: all checks
# passed"): whole layer names and net:load's mismatch message (names.lua), option values
# (options.lua), batchnorm's one-row batch (batchnorm_rows.lua).
foreach(s names options batchnorm_rows messages)
  set(out ${CMAKE_BINARY_DIR}/tests/plugins_script_${s})
  add_test(NAME plugins_script_${s} COMMAND sh -c "rm -rf '${out}' && exec \"$0\" run \"$1\" --out '${out}'"
    ${GLAB_CLI} ${CMAKE_CURRENT_LIST_DIR}/scripts/${s}.lua)
  set_tests_properties(plugins_script_${s} PROPERTIES PASS_REGULAR_EXPRESSION
    "${s}: all checks passed" ENVIRONMENT "GRADLAB_PLUGIN_PATH=;GRADLAB_PLOT=0")
endforeach()

# A 2000-byte layer name: every metrics.csv row of that layer carries it whole.
set(out ${CMAKE_BINARY_DIR}/tests/plugins_long_name_metrics)
add_test(NAME plugins_long_name_metrics COMMAND sh -c
  "rm -rf '${out}' && \"$0\" run \"$1\" --out '${out}' && n=$(grep -cE '^[0-9]+,[0-9]+,x{2000},' '${out}/metrics.csv') && echo \"rows with the whole name: $n\" && [ \"$n\" -ge 10 ]"
  ${GLAB_CLI} ${CMAKE_CURRENT_LIST_DIR}/scripts/long_name_metrics.lua)
set_tests_properties(plugins_long_name_metrics PROPERTIES ENVIRONMENT "GRADLAB_PLUGIN_PATH=;GRADLAB_PLOT=0")

# `gradlab plugins --describe LAYER` lists the option every layer takes (name) after the type's.
add_test(NAME plugins_cli_describe_generic COMMAND ${GLAB_CLI} plugins --describe dense)
set_tests_properties(plugins_cli_describe_generic PROPERTIES ENVIRONMENT "GRADLAB_PLUGIN_PATH="
  PASS_REGULAR_EXPRESSION "bias_init +init +zeros[^\n]*\n +name +string +\\(unset\\) +the layer's name")
# A GRADLAB_PLUGIN_PATH folder that does not exist: one warning per command, never two.
add_test(NAME plugins_cli_path_warning COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/path_warning.sh
  ${GLAB_CLI} ${CMAKE_CURRENT_LIST_DIR}/scripts/tiny.lua ${GLAB_BROKEN_DIR}/initfail.so)
