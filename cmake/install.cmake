# install.cmake — the installable SDK: headers (with the generated build_config.h), libgradlab,
# the gradlab command, the Lua module, the shipped plugins in $libdir/gradlab/plugins, a CMake
# package (find_package(gradlab) → gradlab::gradlab and gradlab_add_plugin()) and a pkg-config
# file. Included from the top CMakeLists.txt after every target exists.
include(CMakePackageConfigHelpers)

set(GRADLAB_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/gradlab)
set(GRADLAB_PLUGIN_INSTALL_REL ${CMAKE_INSTALL_LIBDIR}/gradlab/plugins)

install(TARGETS gradlab EXPORT gradlabTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/gradlab DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/include/gradlab/build_config.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/gradlab)

# The shipped plugins: every plugin_* target of plugins/.
get_property(_glab_plugin_dir_targets DIRECTORY ${PROJECT_SOURCE_DIR}/plugins
  PROPERTY BUILDSYSTEM_TARGETS)
foreach(_t ${_glab_plugin_dir_targets})
  if(_t MATCHES "^plugin_")
    install(TARGETS ${_t} LIBRARY DESTINATION ${GRADLAB_PLUGIN_INSTALL_REL})
  endif()
endforeach()

# The command and the Lua module find the installed libgradlab relative to themselves.
if(TARGET gradlab_cli)
  set_target_properties(gradlab_cli PROPERTIES INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
  install(TARGETS gradlab_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
if(TARGET gradlab_lua_module)
  set_target_properties(gradlab_lua_module PROPERTIES INSTALL_RPATH "$ORIGIN/../..")
  install(TARGETS gradlab_lua_module LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/lua/5.4)
endif()

install(EXPORT gradlabTargets NAMESPACE gradlab:: DESTINATION ${GRADLAB_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/gradlabConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/gradlabConfig.cmake
  INSTALL_DESTINATION ${GRADLAB_CMAKE_DIR}
  PATH_VARS GRADLAB_PLUGIN_INSTALL_REL)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/gradlabConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/gradlabConfig.cmake
  ${PROJECT_BINARY_DIR}/cmake/gradlabConfigVersion.cmake DESTINATION ${GRADLAB_CMAKE_DIR})

file(RELATIVE_PATH GRADLAB_PC_PREFIX_REL /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
configure_file(${PROJECT_SOURCE_DIR}/cmake/gradlab.pc.in ${PROJECT_BINARY_DIR}/gradlab.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/gradlab.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
