# Install rules (GNUInstallDirs) and the Debian package (cpack -G DEB).
install(TARGETS smtpc RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET smtpc_openssl_module)
  install(TARGETS smtpc_openssl_module LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/smtpc)
endif()

# Manual pages, compressed as Debian ships them (gzip -n: no name or time stamp).
set(SMTPC_MAN_PAGES ${SMTPC_GENERATED}/smtpc.1.gz ${SMTPC_GENERATED}/smtpc.conf.5.gz)
add_custom_command(
  OUTPUT ${SMTPC_MAN_PAGES}
  COMMAND gzip -9nc ${SMTPC_GENERATED}/smtpc.1 > ${SMTPC_GENERATED}/smtpc.1.gz
  COMMAND gzip -9nc ${SMTPC_GENERATED}/smtpc.conf.5 > ${SMTPC_GENERATED}/smtpc.conf.5.gz
  DEPENDS ${SMTPC_GENERATED}/smtpc.1 ${SMTPC_GENERATED}/smtpc.conf.5)
# The Debian changelog and the copyright file the package carries.
add_custom_command(
  OUTPUT ${SMTPC_GENERATED}/changelog.gz
  COMMAND gzip -9nc ${PROJECT_SOURCE_DIR}/packaging/debian/changelog > ${SMTPC_GENERATED}/changelog.gz
  DEPENDS ${PROJECT_SOURCE_DIR}/packaging/debian/changelog)
add_custom_target(smtpc_install_files ALL DEPENDS ${SMTPC_MAN_PAGES} ${SMTPC_GENERATED}/changelog.gz)

install(FILES ${SMTPC_GENERATED}/smtpc.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${SMTPC_GENERATED}/smtpc.conf.5.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES ${SMTPC_GENERATED}/smtpc.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME smtpc)
install(FILES ${SMTPC_GENERATED}/_smtpc DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${SMTPC_GENERATED}/smtpc.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

set(SMTPC_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/smtpc)
install(FILES README.md ${SMTPC_GENERATED}/changelog.gz packaging/debian/copyright
        DESTINATION ${SMTPC_DOC_DIR})
install(DIRECTORY docs/ DESTINATION ${SMTPC_DOC_DIR} FILES_MATCHING PATTERN "*.md")
install(DIRECTORY examples/ DESTINATION ${SMTPC_DOC_DIR}/examples)

# cpack -G DEB: smtpc_<version>_<arch>.deb, dependencies from dpkg-shlibdeps.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME smtpc)
set(CPACK_PACKAGE_VENDOR "The smtpc authors")
set(CPACK_PACKAGE_CONTACT "smtpc maintainers <maintainers@users.noreply.h-seed-3d63a2bf.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "send mail over SMTP with curl's command line")
# The control file's Description: the summary, then this text (cpack indents it).
set(CPACK_PACKAGE_DESCRIPTION
    "smtpc sends mail to an SMTP server with the options curl uses for
smtp:// URLs, so scripts written for curl keep working, with safer
defaults: TLS verified, secrets kept out of traces. It pipelines
commands, sends large messages with BDAT, composes MIME messages with
attachments, delivers directly to MX hosts and can stand in for
sendmail in cron jobs.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION mail)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libidn2 and libmagic are opened with dlopen (SMTPC_DLOPEN_LIBS), so dpkg-shlibdeps cannot
# see them: depend on them as their shlibs files say it would ("libidn2-0 (>= 2.3.3)").
if(NOT SMTPC_LINK_OPTIONAL_LIBS)
  set(smtpc_dlopen_depends)
  foreach(package IN ITEMS libidn2-0 libmagic1)
    execute_process(COMMAND dpkg-query --control-show ${package} shlibs
                    OUTPUT_VARIABLE shlibs ERROR_QUIET RESULT_VARIABLE failed)
    # "libidn2 0 libidn2-0 (>= 2.3.3)": what follows the library name and soname version.
    if(NOT failed AND shlibs MATCHES "^[^ ]+ [^ ]+ ([^\n]+)")
      list(APPEND smtpc_dlopen_depends "${CMAKE_MATCH_1}")
    else()
      list(APPEND smtpc_dlopen_depends ${package})
    endif()
  endforeach()
  list(JOIN smtpc_dlopen_depends ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
endif()
# The module is loaded with dlopen; dpkg-shlibdeps sees its libraries all the same.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates")
# Our own postrm too: cpack would otherwise write one that runs ldconfig, because the TLS
# module sits under /usr/lib; ld.so never looks it up, so there is nothing to refresh.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# smtpc loads its TLS module only from the absolute directory configured at build time, so
# the package must come from a build configured for /usr: cpack refuses any other.
set(CPACK_SMTPC_CONFIGURED_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_SOURCE_DIR}/cmake/CPackProject.cmake)
set(CPACK_STRIP_FILES ON)
set(CPACK_SOURCE_IGNORE_FILES "/build.*/" "/\\\\.git/")
include(CPack)
