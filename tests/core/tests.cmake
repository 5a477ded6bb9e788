# Core tests: tape and autodiff mechanics, gradient checks of every op, numerical stability.
gradlab_add_cunit_test(core_tape ${CMAKE_CURRENT_LIST_DIR}/test_tape.c)
gradlab_add_cunit_test(core_gradcheck ${CMAKE_CURRENT_LIST_DIR}/test_gradcheck.c)
gradlab_add_cunit_test(core_numerics ${CMAKE_CURRENT_LIST_DIR}/test_numerics.c)
