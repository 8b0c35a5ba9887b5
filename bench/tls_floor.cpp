// What OpenSSL alone costs a client for one smtps connection (docs/performance.md, issue
// 22): connect to 127.0.0.1:PORT, SSL_CTX_new, the handshake without verification (as
// `-k`), read the greeting, QUIT, close_notify. Linked to libssl directly. Compare its
// CPU with a whole smtpc send to the same server:
//     perf stat -r 100 -e task-clock build-bench/bench/tls_floor PORT
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s PORT (an smtps server on 127.0.0.1)\n", argv[0]);
    return 2;
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(std::atoi(argv[1])));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    std::perror("connect");
    return 1;
  }
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  std::array<char, 512> reply{};
  if (SSL_connect(ssl) != 1 || SSL_read(ssl, reply.data(), reply.size()) <= 0) {
    std::fprintf(stderr, "TLS handshake or greeting failed\n");
    return 1;
  }
  SSL_write(ssl, "QUIT\r\n", 6);
  SSL_read(ssl, reply.data(), reply.size());
  SSL_shutdown(ssl);
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  ::close(fd);
  return 0;
}
