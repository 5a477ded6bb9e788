# Studies tests: `gradlab plot` on a fixed run folder (standard figures from metrics.csv, figures a
# study declares in figures.csv, no gnuplot, bad input, usage), and every study in scripts/ at
# smoke size with fixed seeds: the script itself asserts its qualitative finding (--set check=true
# makes a failed finding an error), then check_run verifies the run folder (metrics.csv,
# summary.json, every CSV, every declared figure as PNG of 960x600 + SVG + .gp).
add_executable(studies_check_run ${CMAKE_CURRENT_LIST_DIR}/check_run.c)
target_link_libraries(studies_check_run PRIVATE PkgConfig::CJSON ${CSV_LIBRARY})
target_include_directories(studies_check_run PRIVATE ${CSV_INCLUDE_DIR})

set(STUDIES_OUT ${CMAKE_BINARY_DIR}/tests/studies)
set(STUDIES_SH ${CMAKE_CURRENT_LIST_DIR}/studies_test.sh)
set(STUDIES_ENV "GRADLAB_PLUGIN_PATH=;ASAN_OPTIONS=detect_leaks=1;OPENBLAS_NUM_THREADS=1")

# studies_case(NAME CASE ARGS...): one case of studies_test.sh.
function(studies_case name)
  add_test(NAME studies_${name}
    COMMAND sh ${STUDIES_SH} $<TARGET_FILE:gradlab_cli> $<TARGET_FILE:studies_check_run>
            ${STUDIES_OUT} ${PROJECT_SOURCE_DIR} ${ARGN})
  set_tests_properties(studies_${name} PROPERTIES ENVIRONMENT "${STUDIES_ENV}" TIMEOUT 300
    LABELS studies)
endfunction()

studies_case(plot_fixture plot_fixture)
studies_case(plot_no_gnuplot plot_no_gnuplot)
studies_case(plot_bad_input plot_bad_input)
studies_case(plot_usage plot_usage)
studies_case(plot_damaged plot_damaged)
studies_case(plot_steps plot_steps)
studies_case(plot_one_point plot_one_point)
studies_case(plot_long_path plot_long_path)
studies_case(plot_targets plot_targets)
studies_case(plot_untrusted plot_untrusted)
studies_case(plot_named_models plot_named_models)
studies_case(plot_unfinished plot_unfinished)
studies_case(plot_cut_output plot_cut_output)

# Smoke sizes, a little smaller still than --set smoke=true, so the suite stays quick under ASan.
studies_case(xor_naive study xor_naive --set epochs=2500 --set probe_every=250 --set sweep_seeds=3
  --result sensible_loss<0.05 --result naive_accuracy<0.9)
studies_case(depth_speed study depth_speed --set epochs=1
  --result init_first_over_last<0.1)
studies_case(cures study cures --set train_images=2000 --set test_images=500
  --result baseline_delta_spread_init<0.01 --result explode_delta_spread_init>100)
studies_case(rnn_vs_lstm study rnn_vs_lstm
  --result lstm_T50_test_mse<0.05 --result rnn_T50_test_mse>0.1)
studies_case(main_study study main_study --set speed_epochs=1 --set train_images=600
  --set test_images=300)
studies_case(main_study_no_data study_no_data main_study --set speed_epochs=1
  --set train_images=600 --set test_images=300)

# Run folders whose names hold a quote and a $(...): the study works and no command in the name
# runs (gradlab run, and study.lua's own mkdir and `gradlab plot` from stock lua5.4); bad --set
# values and unknown keys: exit 1 naming the script, the parameter and what is accepted.
studies_case(odd_out odd_out depth_speed --set epochs=1 --set "depths=2, 3")
find_program(STUDIES_LUA54 NAMES lua5.4 lua54)
if(STUDIES_LUA54)
  add_test(NAME studies_stock_lua_odd_out
    COMMAND sh ${STUDIES_SH} $<TARGET_FILE:gradlab_cli> $<TARGET_FILE:studies_check_run>
            ${STUDIES_OUT} ${PROJECT_SOURCE_DIR} stock_lua_odd_out ${STUDIES_LUA54})
  set(STUDIES_LUA_ENV "${STUDIES_ENV};LUA_CPATH=${CMAKE_BINARY_DIR}/lua/?.so;;")
  if(GRADLAB_SANITIZE)
    # The ASan runtime must come first in a host program that was not built with it.
    execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
                    OUTPUT_VARIABLE STUDIES_ASAN_LIB OUTPUT_STRIP_TRAILING_WHITESPACE)
    set(STUDIES_LUA_ENV "${STUDIES_LUA_ENV};LD_PRELOAD=${STUDIES_ASAN_LIB};ASAN_OPTIONS=detect_leaks=0")
  endif()
  set_tests_properties(studies_stock_lua_odd_out PROPERTIES ENVIRONMENT "${STUDIES_LUA_ENV}"
    TIMEOUT 300 LABELS studies)
endif()
studies_case(bad_params bad_params)
# docs/batch.md's example script (scripts/examples/depth.lua) in a batch
studies_case(batch_example batch_example)
