# The pretraining study (scripts/pretraining.lua) and gradlab.pretrain as a user meets it.
#  - pretrain_study_smoke: the study at smoke size (--seed 1, seeds=1, check=true) through the
#    studies' driver (tests/studies/studies_test.sh + studies_check_run: metrics.csv,
#    summary.json, every CSV, every declared figure), asserting what was measured robustly at
#    this size: both pretrainers reduce their reconstruction error on every hidden layer and start
#    fine-tuning with a first/last-hidden ||δ|| spread at least 0.3 (autoencoder) / 0.8 (RBM)
#    decades smaller than no pretraining (observed over seeds 1-6: 0.5-0.9 and 1.2-1.6).
#  - pretrain_study_doc_examples: every example of docs/pretrain.md runs.
#  - pretrain_study_err_*: bad options to gradlab.pretrain end the run with exit 1 and a message
#    naming the option, layer or method (tests/lua/run_case.sh checks status, stderr, run folder).
set(PRETRAIN_STUDY_T ${CMAKE_CURRENT_LIST_DIR})

add_test(NAME pretrain_study_smoke
  COMMAND sh ${PROJECT_SOURCE_DIR}/tests/studies/studies_test.sh $<TARGET_FILE:gradlab_cli>
          $<TARGET_FILE:studies_check_run> ${CMAKE_BINARY_DIR}/tests/pretrain_study
          ${PROJECT_SOURCE_DIR} study pretraining --set seeds=1
          --result autoencoder_recon_drop_min>0.05 --result rbm_recon_drop_min>0.05
          --result autoencoder_spread_reduction>0.3 --result rbm_spread_reduction>0.8)
set_tests_properties(pretrain_study_smoke PROPERTIES LABELS studies TIMEOUT 300
  ENVIRONMENT "GRADLAB_PLUGIN_PATH=;ASAN_OPTIONS=detect_leaks=1;OPENBLAS_NUM_THREADS=1")

# name, stderr regex, script
function(pretrain_study_err name regex)
  add_test(NAME pretrain_study_err_${name}
    COMMAND sh ${PROJECT_SOURCE_DIR}/tests/lua/run_case.sh $<TARGET_FILE:gradlab_cli> 1
            "${name}\\.lua:7: gradlab\\.pretrain: ${regex}" ${PRETRAIN_STUDY_T}/errors/${name}.lua)
  set_tests_properties(pretrain_study_err_${name} PROPERTIES
    ENVIRONMENT "GRADLAB_PLUGIN_PATH=;GRADLAB_PLOT=0;ASAN_OPTIONS=detect_leaks=1")
endfunction()

pretrain_study_err(layer_range "rbm: layers\\[2\\] = 4 is out of range \\(the model has 3 layers\\)")
pretrain_study_err(non_dense
  "autoencoder: layer 2 is a sigmoid layer; only dense layers can be pretrained")
pretrain_study_err(unknown_option "unknown option 'epoch'; did you mean 'epochs'")
pretrain_study_err(foreign_option "unknown option 'k' \\(options: epochs, lr, batch,")
pretrain_study_err(unknown_method "no pretrainer 'rmb' is registered \\(known: autoencoder, rbm\\)")
pretrain_study_err(bad_value "rbm: visible must be binary or gaussian \\(got 'gauss'\\)")
pretrain_study_err(shape "autoencoder: layer 1 takes 4 inputs but the data has 5 features")

# Every runnable example of docs/pretrain.md (the lua area's driver).
add_test(NAME pretrain_study_doc_examples COMMAND sh ${PROJECT_SOURCE_DIR}/tests/lua/doc_examples.sh
  $<TARGET_FILE:gradlab_cli> ${PROJECT_SOURCE_DIR}/docs/pretrain.md)
set_tests_properties(pretrain_study_doc_examples PROPERTIES
  ENVIRONMENT "GRADLAB_PLUGIN_PATH=;GRADLAB_PLOT=0;ASAN_OPTIONS=detect_leaks=1;OPENBLAS_NUM_THREADS=1")
