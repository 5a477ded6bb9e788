# Fuzzers of the data parsers (IDX, CSV). Always: a replay test that runs the committed seed
# corpus through each target (so ASan and valgrind builds check it). With -DGRADLAB_FUZZ=ON
# (CC=clang): libFuzzer executables fuzz_idx and fuzz_csv, and CTest tests labelled "fuzz" that run
# each for GRADLAB_FUZZ_SECONDS (default 30) — new inputs go to the build tree, never the source.
set(GRADLAB_FUZZ_SECONDS 30 CACHE STRING "Seconds each fuzzer runs under CTest (label fuzz)")
set(FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})
set(FUZZ_PARSER_SOURCES ${PROJECT_SOURCE_DIR}/core/dataset.c ${PROJECT_SOURCE_DIR}/core/data_idx.c
    ${PROJECT_SOURCE_DIR}/core/data_csv.c)

foreach(target idx csv)
  add_executable(data_fuzz_replay_${target} ${FUZZ_DIR}/fuzz_${target}.c ${FUZZ_DIR}/replay.c)
  target_include_directories(data_fuzz_replay_${target} PRIVATE ${PROJECT_SOURCE_DIR}/core)
  target_link_libraries(data_fuzz_replay_${target} PRIVATE gradlab m)
  if(GRADLAB_VALGRIND)
    add_test(NAME data_fuzz_replay_${target}
             COMMAND ${VALGRIND_EXECUTABLE} --quiet --error-exitcode=99 --leak-check=full
                     --errors-for-leak-kinds=definite,indirect
                     $<TARGET_FILE:data_fuzz_replay_${target}> ${FUZZ_DIR}/corpus_${target})
    set_tests_properties(data_fuzz_replay_${target} PROPERTIES LABELS "cunit;valgrind")
  else()
    add_test(NAME data_fuzz_replay_${target}
             COMMAND data_fuzz_replay_${target} ${FUZZ_DIR}/corpus_${target})
    set_tests_properties(data_fuzz_replay_${target} PROPERTIES LABELS "cunit")
  endif()

  if(GRADLAB_FUZZ)
    # The parsers are compiled into the fuzzer itself, instrumented for coverage; the rest of
    # the library (errors, tensors) comes from libgradlab.
    add_executable(fuzz_${target} ${FUZZ_DIR}/fuzz_${target}.c ${FUZZ_PARSER_SOURCES})
    target_include_directories(fuzz_${target} PRIVATE ${PROJECT_SOURCE_DIR}/core ${CSV_INCLUDE_DIR})
    target_compile_options(fuzz_${target} PRIVATE -fsanitize=fuzzer,address,undefined -g)
    target_link_options(fuzz_${target} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(fuzz_${target} PRIVATE gradlab ZLIB::ZLIB ${CSV_LIBRARY} m)
    set(new_inputs ${CMAKE_CURRENT_BINARY_DIR}/fuzz_${target}_corpus)
    file(MAKE_DIRECTORY ${new_inputs})
    add_test(NAME fuzz_${target}
             COMMAND fuzz_${target} -max_total_time=${GRADLAB_FUZZ_SECONDS} -rss_limit_mb=1024
                     -timeout=10 -print_final_stats=1 ${new_inputs} ${FUZZ_DIR}/corpus_${target})
    math(EXPR fuzz_timeout "${GRADLAB_FUZZ_SECONDS} + 120")
    set_tests_properties(fuzz_${target} PROPERTIES LABELS "fuzz" TIMEOUT ${fuzz_timeout}
                         ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1")
  endif()
endforeach()
