# Runs BINARY with ARGS and fails unless it exits with EXPECTED and prints "(EXPECTED)"
# (or, for exit 2, curl's "option ...: ..." line); with STDERR, stderr must be that line.
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND ${BINARY} ${args} RESULT_VARIABLE code ERROR_VARIABLE err
                OUTPUT_VARIABLE out INPUT_FILE /dev/null TIMEOUT 20)
if(NOT code STREQUAL "${EXPECTED}")
  message(FATAL_ERROR "expected exit ${EXPECTED}, got ${code}; stderr: ${err}")
endif()
# Usage errors are in curl's words: "smtpc: option --x: is unknown" (exit 2).
if(NOT err MATCHES "smtpc: \\(${EXPECTED}\\)" AND NOT (EXPECTED STREQUAL "2" AND err MATCHES "^smtpc: option "))
  message(FATAL_ERROR "stderr lacks \"smtpc: (${EXPECTED})\": ${err}")
endif()
if(DEFINED STDERR AND NOT err STREQUAL "${STDERR}\n")
  message(FATAL_ERROR "expected stderr \"${STDERR}\", got: ${err}")
endif()
