"""Helpers for idr's end-to-end tests: locate the binary, compile protos for
Python, start `idr serve` on a free loopback port and stop it again."""

import os
import signal
import subprocess
import sys
import tempfile

# Paths handed over by the Bazel rule as arguments: IDR binary, idr.v1 proto.
IDR = os.path.abspath(os.environ.get("IDR_BINARY", "identity/idr"))
HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_ROOTS = [os.path.join(HERE, "protos")]


def tmpdir():
    return os.environ.get("TEST_TMPDIR") or tempfile.mkdtemp(prefix="idr-e2e-")


def compile_protos(proto_files):
    """Generates Python modules for proto files (given as (root, relpath)) with
    the system protoc and gRPC's Python plugin; returns the output dir, already
    put on sys.path."""
    out = tempfile.mkdtemp(prefix="pyproto-", dir=tmpdir())
    roots = sorted({root for root, _ in proto_files})
    cmd = ["protoc"] + ["-I" + r for r in roots] + [
        "--python_out=" + out, "--grpc_out=" + out,
        "--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin"]
    cmd += [rel for _, rel in proto_files]
    subprocess.run(cmd, check=True, cwd=roots[0] if len(roots) == 1 else None)
    if out not in sys.path:
        sys.path.insert(0, out)
    return out


class Server:
    """`idr serve` in a child process, listening on 127.0.0.1:<free port>."""

    def __init__(self, db_path, extra_args=()):
        self.db_path = db_path
        self.proc = subprocess.Popen(
            [IDR, "serve", "--db", db_path, "--listen", "127.0.0.1:0",
             *(() if "--config" in extra_args else ("--insecure",)),
             *extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if "serving" not in line:
            self.proc.kill()
            raise RuntimeError("idr serve did not start: %r %r" %
                               (line, self.proc.stderr.read()))
        # "idr serving idr.v1 on 127.0.0.1:PORT (db PATH)[, metrics on URL]"
        self.address = line.split(" on ", 1)[1].split(" ", 1)[0]
        self.metrics_url = (line.rsplit("metrics on ", 1)[1].strip()
                            if "metrics on " in line else None)

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Sends `sig` and returns (exit code, stderr)."""
        self.proc.send_signal(sig)
        try:
            _, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
            raise
        return self.proc.returncode, err


def run_idr(*args, timeout=60, env=None):
    """Runs the idr binary to completion; returns CompletedProcess (text)."""
    return subprocess.run([IDR, *args], capture_output=True, text=True,
                          timeout=timeout, env=env)
