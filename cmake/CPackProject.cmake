# Read by cpack at packaging time (CPACK_PROJECT_CONFIG_FILE). The installed smtpc opens
# its TLS module from <prefix>/<libdir>/smtpc as configured, so a package built from a tree
# configured for another prefix would ship a program that looks for it elsewhere.
if(CPACK_GENERATOR STREQUAL "DEB" AND
   NOT CPACK_SMTPC_CONFIGURED_PREFIX STREQUAL CPACK_PACKAGING_INSTALL_PREFIX)
  message(FATAL_ERROR "the Debian package installs in ${CPACK_PACKAGING_INSTALL_PREFIX}, but "
          "this build was configured for ${CPACK_SMTPC_CONFIGURED_PREFIX}: configure with "
          "-DCMAKE_INSTALL_PREFIX=${CPACK_PACKAGING_INSTALL_PREFIX} to build the package")
endif()
