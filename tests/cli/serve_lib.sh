# serve_lib.sh: what the shell tests that run `kijun serve` share. Sourced; expects $K
# (the kijun binary), $T (a scratch directory) and a function bad MESSAGE.

# start_server DSN: kijun serve on a free loopback port, in $URL and $SERVER_PID; its
# output in $T/serve.log. It is started with a --server and KIJUN_SERVER of its own, which
# serve must ignore.
start_server() {
  local port try i
  for try in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + RANDOM % 40000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
    KIJUN_SERVER=http://127.0.0.1:1 "$K" --server http://127.0.0.1:1 --db "$1" serve --listen "127.0.0.1:$port" --quiet \
      >"$T/serve.log" 2>&1 &
    SERVER_PID=$!
    for i in $(seq 100); do
      if grep -qs "listening on" "$T/serve.log"; then URL=http://127.0.0.1:$port; return 0; fi
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
  done
  bad "kijun serve did not start on $1"; sed 's/^/  | /' "$T/serve.log" >&2
  return 1
}

stop_server() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=; fi
}
