// SHA-256 through libcrypto's own functions for it, linked from the static libcrypto.a: EVP (OpenSSL
// 3's interface for every digest) fetches through providers, which drag most of the library in,
// and the shared library cost every command 3.3 MiB resident and its loading (docs/benchmarks.md).
// These functions are marked deprecated in OpenSSL 3 but are kept, fast, and touch nothing else.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
