# Core tests: tape and autodiff mechanics, gradient checks of every op, numerical stability.
gradlab_add_cunit_test(core_tape ${CMAKE_CURRENT_LIST_DIR}/test_tape.c)
gradlab_add_cunit_test(core_gradcheck ${CMAKE_CURRENT_LIST_DIR}/test_gradcheck.c)
gradlab_add_cunit_test(core_numerics ${CMAKE_CURRENT_LIST_DIR}/test_numerics.c)
# The file writers (model save, glab_write_file_atomic, the run folder) replace regular files only.
gradlab_add_cunit_test(core_files ${CMAKE_CURRENT_LIST_DIR}/test_files.c)
add_dependencies(core_files plugins)
# A warm step allocates nothing (malloc & co. counted by interposition): a plain executable, so
# it never runs under valgrind; it skips itself in a sanitizer build.
add_executable(core_noalloc ${CMAKE_CURRENT_LIST_DIR}/test_noalloc.c)
target_link_libraries(core_noalloc PRIVATE gradlab m)
add_dependencies(core_noalloc plugins)
add_test(NAME core_noalloc COMMAND core_noalloc)
set_tests_properties(core_noalloc PROPERTIES ENVIRONMENT "GRADLAB_PLUGIN_PATH=;OPENBLAS_NUM_THREADS=1")
