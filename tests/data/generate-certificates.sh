#!/usr/bin/env bash
# Generates the test PKI into DIR (default: ./certs): never downloaded, never committed.
#   ca.pem/ca.key            test CA
#   server.pem/server.key    localhost, 127.0.0.1, ::1 — signed by the CA
#   expired.pem/.key         same names, validity in the past
#   wrong-name.pem/.key      only wrong.example — signed by the CA
#   localhost-only.pem/.key  only the name localhost, no address — signed by the CA
#   self-signed.pem/.key     localhost, 127.0.0.1, ::1 — signed by itself
#   client-ca.pem/.key       CA for client certificates
#   client.pem/client.key    a client certificate signed by client-ca
#   client-encrypted.key     client.key encrypted with the pass phrase "secret-pass"
#   client-encrypted-traditional.key  the same in the traditional PEM form (Proc-Type,
#                            DEK-Info), as OpenSSL 1.x wrote encrypted keys
#   revoked.pem/.key         localhost, 127.0.0.1, ::1 — signed by the CA, serial 5E, revoked
#   ca.crl                   the CA's CRL (PEM), listing revoked.pem only (--crlfile)
#   ocsp-good.der            an OCSP response for server.pem, signed by the CA: good
#   ocsp-revoked.der         the same saying revoked (for --cert-status with s_server)
#   server.pin               sha256//BASE64 of the server key, for --pinnedpubkey (last)
set -euo pipefail
dir=${1:-certs}
mkdir -p "$dir"
cd "$dir"
if [ -s server.pin ] && [ -s ocsp-revoked.der ] && [ -s localhost-only.pem ] &&
  [ -s client-encrypted-traditional.key ]; then exit 0; fi

san_localhost="subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"

ca() {  # name subject
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" -days 3650 \
    -subj "$2" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# leaf name subject san ca_name [ca options...]
leaf() {
  local name=$1 subject=$2 san=$3 issuer=$4
  shift 4
  openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "$subject" \
    2>/dev/null
  mkdir -p "ca-$name/newcerts"
  : > "ca-$name/index.txt"
  echo "${serial:-01}" > "ca-$name/serial"
  cat > "ca-$name/ca.cnf" <<CNF
[ca]
default_ca = test_ca
[test_ca]
dir = ca-$name
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no
[anything]
commonName = supplied
[ext]
basicConstraints = critical,CA:FALSE
$san
extendedKeyUsage = serverAuth,clientAuth
CNF
  openssl ca -batch -config "ca-$name/ca.cnf" -cert "$issuer.pem" -keyfile "$issuer.key" \
    -extensions ext -in "$name.csr" -out "$name.pem" -notext "$@" 2>/dev/null
  rm -rf "$name.csr" "ca-$name"
}

ca ca "/CN=smtpc test CA"
ca client-ca "/CN=smtpc test client CA"
leaf server "/CN=localhost" "$san_localhost" ca -days 3650
leaf expired "/CN=localhost" "$san_localhost" ca -startdate 20200101000000Z -enddate 20210101000000Z
leaf wrong-name "/CN=wrong.example" "subjectAltName=DNS:wrong.example" ca -days 3650
leaf localhost-only "/CN=localhost" "subjectAltName=DNS:localhost" ca -days 3650
leaf client "/CN=smtpc test client" "subjectAltName=DNS:client.example" client-ca -days 3650
openssl req -x509 -newkey rsa:2048 -nodes -keyout self-signed.key -out self-signed.pem \
  -days 3650 -subj "/CN=localhost" -addext "$san_localhost" 2>/dev/null
openssl pkey -in client.key -out client-encrypted.key -aes256 -passout pass:secret-pass
openssl rsa -in client.key -out client-encrypted-traditional.key -aes256 -traditional \
  -passout pass:secret-pass 2>/dev/null
# A revoked server certificate and the CA's CRL listing it (by its own serial, 5E, so the
# other leaves, serial 01, stay good).
serial=5E leaf revoked "/CN=localhost" "$san_localhost" ca -days 3650
mkdir -p crl-ca/newcerts
printf 'R\t%s\t%s\t5E\tunknown\t/CN=localhost\n' 351231000000Z 250101000000Z > crl-ca/index.txt
cat > crl-ca/ca.cnf <<CNF
[ca]
default_ca = test_ca
[test_ca]
dir = crl-ca
database = \$dir/index.txt
default_md = sha256
default_crl_days = 3650
CNF
openssl ca -gencrl -config crl-ca/ca.cnf -cert ca.pem -keyfile ca.key -out ca.crl 2>/dev/null
# OCSP responses for server.pem (serial 01), signed by the CA itself (RFC 6960 §4.2.2.2).
ocsp_response() {  # status-line output
  printf '%s\n' "$1" > crl-ca/ocsp-index.txt
  openssl ocsp -issuer ca.pem -cert server.pem -no_nonce -reqout crl-ca/request.der 2>/dev/null
  openssl ocsp -index crl-ca/ocsp-index.txt -CA ca.pem -rsigner ca.pem -rkey ca.key \
    -reqin crl-ca/request.der -respout "$2" -ndays 3650 2>/dev/null >/dev/null
}
ocsp_response "$(printf 'V\t351231000000Z\t\t01\tunknown\t/CN=localhost')" ocsp-good.der
ocsp_response "$(printf 'R\t351231000000Z\t250101000000Z\t01\tunknown\t/CN=localhost')" \
  ocsp-revoked.der
rm -rf crl-ca
# curl's --pinnedpubkey form of the server key: sha256 of the DER SubjectPublicKeyInfo.
echo "sha256//$(openssl pkey -in server.key -pubout -outform der | openssl dgst -sha256 -binary | openssl base64 -A)" > server.pin
