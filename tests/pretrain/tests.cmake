# Pretrainer plugins (autoencoder, rbm): reconstruction improves, gradients check, CD-1 by hand.
gradlab_add_cunit_test(test_pretrain ${CMAKE_CURRENT_LIST_DIR}/test_pretrain.c)
add_dependencies(test_pretrain plugins)
gradlab_add_cunit_test(test_pretrain_ae_gradcheck ${CMAKE_CURRENT_LIST_DIR}/test_ae_gradcheck.c)
gradlab_add_cunit_test(test_pretrain_rbm_cd ${CMAKE_CURRENT_LIST_DIR}/test_rbm_cd.c)
