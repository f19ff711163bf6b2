# `cmake --install BUILD --prefix P` installs the Loom SDK: loomc and loom-opt, the runtime
# archives the executables link, the stdlib, the headers a plugin needs (the plugin
# interface, PluginUtils.h, the loom dialect with its generated .inc files, the C API loom.h) and the
# CMake package (P/lib/cmake/Loom: find_package(Loom), Loom::PluginAPI, loom_add_plugin).
# An installed loomc finds the runtime and the stdlib relative to itself.
include(CMakePackageConfigHelpers)

# The installed tools keep finding libMLIR/libLLVM (LLVM 22's lib/, not on the loader's path).
set_target_properties(loomc loom-opt PROPERTIES INSTALL_RPATH "${LLVM_ROOT}/lib")
install(TARGETS loomc loom-opt RUNTIME DESTINATION bin)
install(TARGETS loom_runtime loom_runtime_core ARCHIVE DESTINATION lib/loom)
if(TARGET loom_runtime_mpi)
  install(TARGETS loom_runtime_mpi ARCHIVE DESTINATION lib/loom)
endif()
install(DIRECTORY ${LOOM_SOURCE_DIR}/stdlib/ DESTINATION share/loom/stdlib)
install(DIRECTORY ${LOOM_SOURCE_DIR}/compiler/include/loom/Plugin DESTINATION include/loom)
# Plugin.h's BlockValue carries source locations (ast::SourceLoc); AST.h is self-contained.
install(FILES ${LOOM_SOURCE_DIR}/compiler/include/loom/Frontend/AST.h DESTINATION include/loom/Frontend)
install(DIRECTORY ${LOOM_SOURCE_DIR}/dialect/include/loom/Dialect DESTINATION include/loom
        FILES_MATCHING PATTERN "*.h" PATTERN "*.td")
install(DIRECTORY ${LOOM_BINARY_DIR}/dialect/include/loom/Dialect DESTINATION include/loom
        FILES_MATCHING PATTERN "*.inc")
install(FILES ${LOOM_SOURCE_DIR}/runtime/include/loom/Runtime/loom.h DESTINATION include/loom/Runtime)

configure_package_config_file(${LOOM_SOURCE_DIR}/cmake/LoomConfig.cmake.in
  ${LOOM_BINARY_DIR}/cmake/LoomConfig.cmake INSTALL_DESTINATION lib/cmake/Loom
  NO_SET_AND_CHECK_MACRO NO_CHECK_REQUIRED_COMPONENTS_MACRO)
write_basic_package_version_file(${LOOM_BINARY_DIR}/cmake/LoomConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${LOOM_BINARY_DIR}/cmake/LoomConfig.cmake
              ${LOOM_BINARY_DIR}/cmake/LoomConfigVersion.cmake DESTINATION lib/cmake/Loom)
