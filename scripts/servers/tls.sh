# shellcheck shell=bash
# TLS for the throwaway servers of scripts/with-servers.sh (sourced there).
#
# tls_setup DIR makes, at test time, a throwaway certificate authority and
# a server certificate it signs for 127.0.0.1 and localhost, plus a second
# CA that signed nothing of ours (for "wrong CA" tests). Keys are made
# fresh for each run, never leave DIR and go away with it; the CA's own
# key is deleted as soon as the server certificate is signed.
#
#   DIR/ca.pem         the test CA            -> ORB_TEST_TLS_CA
#   DIR/other-ca.pem   an unrelated CA        -> ORB_TEST_TLS_OTHER_CA
#   DIR/server.pem     the servers' certificate (CN localhost,
#                      subjectAltName DNS:localhost, IP:127.0.0.1)
#   DIR/pg.key         its key, owned by postgres (PostgreSQL wants 0600)
#   DIR/my.key         the same key, owned by mysql
#
# Then TLS_PG_OPTS (for pg_ctl -o) and TLS_MARIADB_ARGS (for mariadbd)
# turn TLS on with those files; plain connections keep working.

TLS_PG_OPTS='' TLS_MARIADB_ARGS=()

tls_setup() {
  local dir=$1 log=$2
  install -d -m 755 "${dir}"
  (
    set -e
    cd "${dir}"
    # EC keys: a fraction of the time RSA takes.
    local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
    openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 2 \
      -subj '/CN=orb test CA' -addext 'basicConstraints=critical,CA:TRUE' \
      -addext 'keyUsage=critical,keyCertSign,cRLSign'
    openssl req -x509 "${ec[@]}" -keyout other-ca.key -out other-ca.pem \
      -days 2 -subj '/CN=orb unrelated CA' \
      -addext 'basicConstraints=critical,CA:TRUE' \
      -addext 'keyUsage=critical,keyCertSign,cRLSign'
    openssl req "${ec[@]}" -keyout server.key -out server.csr \
      -subj '/CN=localhost'
    printf '%s\n' 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
      'basicConstraints=CA:FALSE' 'extendedKeyUsage=serverAuth' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
      -CAcreateserial -out server.pem -days 2 -extfile server.ext
    rm -f ca.key other-ca.key ca.srl server.csr server.ext
    chmod 644 ca.pem other-ca.pem server.pem
    install -o postgres -g postgres -m 600 server.key pg.key
    install -o mysql -g mysql -m 600 server.key my.key
    rm -f server.key
  ) >"${log}" 2>&1 || return 1
  TLS_PG_OPTS="-c ssl=on -c ssl_cert_file=${dir}/server.pem \
-c ssl_key_file=${dir}/pg.key -c ssl_ca_file=${dir}/ca.pem"
  TLS_MARIADB_ARGS=(--ssl-cert="${dir}/server.pem" --ssl-key="${dir}/my.key"
    --ssl-ca="${dir}/ca.pem")
}
