# Data tests: IDX/CSV loaders (round trips, malformed input, Fashion-MNIST when installed),
# dataset operations and the built-in tasks; the Lua binding of gradlab.data; the fuzzers.
gradlab_add_cunit_test(data_files ${CMAKE_CURRENT_LIST_DIR}/test_data_files.c)
target_link_libraries(data_files PRIVATE ZLIB::ZLIB)
gradlab_add_cunit_test(data_ops ${CMAKE_CURRENT_LIST_DIR}/test_data_ops.c)
