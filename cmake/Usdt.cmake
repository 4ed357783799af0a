# Decides whether USDT tracepoints are compiled in (WITH_USDT = AUTO|ON|OFF)
# and sets ENABLE_USDT accordingly. ON requires <sys/sdt.h> able to compile a
# 12-argument probe; AUTO turns tracing on exactly then, on Linux.
include(CheckCXXSourceCompiles)

set(_usdt_probe_source [=[
#include <sys/sdt.h>
int main() {
  int a = 1; long b = 2; char c = 3; short d = 4; unsigned e = 5; void* f = 0;
  const char* g = "x"; bool h = true; long long i = 9; unsigned char j = 10;
  signed char k = 11; unsigned long l = 12;
  STAP_PROBE12(check, twelve, a, b, c, d, e, f, g, h, i, j, k, l);
  return 0;
}
]=])

string(TOUPPER "${WITH_USDT}" _with_usdt)
set(ENABLE_USDT OFF)
if(_with_usdt STREQUAL "OFF")
  message(STATUS "USDT tracepoints: OFF (WITH_USDT=OFF)")
elseif(NOT CMAKE_SYSTEM_NAME STREQUAL "Linux")
  if(_with_usdt STREQUAL "ON")
    message(FATAL_ERROR "WITH_USDT=ON: USDT tracepoints need Linux")
  endif()
  message(STATUS "USDT tracepoints: OFF (not Linux)")
else()
  check_cxx_source_compiles("${_usdt_probe_source}" HAVE_USDT_SDT_H)
  if(HAVE_USDT_SDT_H)
    set(ENABLE_USDT ON)
    message(STATUS "USDT tracepoints: ON (sys/sdt.h compiles a 12-argument probe)")
  elseif(_with_usdt STREQUAL "ON")
    message(FATAL_ERROR "WITH_USDT=ON but <sys/sdt.h> is missing or cannot compile a 12-argument probe. "
                        "Install the Debian package systemtap-sdt-dev (depends/setup.sh does), "
                        "or configure with -DWITH_USDT=OFF.")
  else()
    message(STATUS "USDT tracepoints: OFF (no usable sys/sdt.h; install systemtap-sdt-dev to enable)")
  endif()
endif()

if(ENABLE_USDT AND USDT_NOP5 AND NOT CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
  message(STATUS "USDT_NOP5: not x86_64, using 1-byte nops")
  set(USDT_NOP5 OFF)
endif()
if(ENABLE_USDT)
  message(STATUS "USDT probe instruction: ${USDT_NOP5} (ON: 5-byte nop, OFF: 1-byte nop)")
endif()
