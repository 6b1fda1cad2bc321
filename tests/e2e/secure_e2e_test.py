"""End to end: `idr serve` with TLS (a certificate made by the openssl
command line for this test) and caller tokens with scopes, from Debian's
python3-grpcio. No token: UNAUTHENTICATED; a read-only token on a write:
PERMISSION_DENIED; plaintext to the TLS port fails.
"""

import os
import subprocess
import sys
import unittest

import e2e_util

IDR_PROTO = os.path.abspath(sys.argv.pop(1))
e2e_util.IDR = os.path.abspath(sys.argv.pop(1))
IDR_PROTO_ROOT = IDR_PROTO[: -len("idr/v1/identity_service.proto")]
e2e_util.compile_protos([(IDR_PROTO_ROOT, "idr/v1/identity_service.proto")])

import grpc  # noqa: E402
from idr.v1 import identity_service_pb2 as pb  # noqa: E402
from idr.v1 import identity_service_pb2_grpc as pb_grpc  # noqa: E402

TIMEOUT = 20
WRITER = "writer-token-0123456789abcdef"
READER = "reader-token-0123456789abcdef"


class SecureServeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        tmp = e2e_util.tmpdir()
        cls.cert = os.path.join(tmp, "server.pem")
        key = os.path.join(tmp, "server.key")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
             "-keyout", key, "-out", cls.cert, "-days", "1",
             "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
            check=True, capture_output=True)
        config = os.path.join(tmp, "callers.conf")
        with open(config, "w") as f:
            f.write("# name scope token [permissions]\n")
            f.write("crm read-write %s values\n" % WRITER)
            f.write("shop read %s\n" % READER)
        db = os.path.join(tmp, "secure.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        cls.server = e2e_util.Server(db, ("--tls-cert", cls.cert, "--tls-key",
                                          key, "--config", config))
        with open(cls.cert, "rb") as f:
            credentials = grpc.ssl_channel_credentials(root_certificates=f.read())
        cls.channel = grpc.secure_channel(cls.server.address, credentials)
        cls.stub = pb_grpc.IdentityServiceStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        code, err = cls.server.stop()
        assert code == 0, err

    def call(self, method, request, token):
        metadata = (("authorization", "Bearer " + token),) if token else ()
        return method(request, timeout=TIMEOUT, metadata=metadata)

    def code_of(self, method, request, token):
        with self.assertRaises(grpc.RpcError) as caught:
            self.call(method, request, token)
        return caught.exception.code()

    def test_scopes(self):
        ingest = pb.IngestRequest(records=[pb.Record(
            source_system="crm", source_record_id="1",
            channel=pb.CHANNEL_CALL_CENTER,
            identifiers=[pb.Identifier(type=pb.IDENTIFIER_TYPE_EMAIL,
                                       value="li.na@126.com")])])
        self.assertEqual(self.code_of(self.stub.Ingest, ingest, None),
                         grpc.StatusCode.UNAUTHENTICATED)
        self.assertEqual(self.code_of(self.stub.Ingest, ingest,
                                      "wrong-token-0123456789abcdef"),
                         grpc.StatusCode.UNAUTHENTICATED)
        self.assertEqual(self.code_of(self.stub.Ingest, ingest, READER),
                         grpc.StatusCode.PERMISSION_DENIED)
        created = self.call(self.stub.Ingest, ingest, WRITER)
        self.assertEqual(created.results[0].outcome, pb.OUTCOME_CREATED)
        key = created.results[0].customer_key
        resolve = pb.ResolveRequest(customer_key=key)
        self.assertEqual(self.call(self.stub.Resolve, resolve, READER)
                         .customer_key, key)
        self.assertEqual(self.code_of(self.stub.Resolve, resolve, None),
                         grpc.StatusCode.UNAUTHENTICATED)
        self.assertEqual(self.code_of(self.stub.Forget, pb.ForgetRequest(
            customer_key=key), READER), grpc.StatusCode.PERMISSION_DENIED)

        # Identifier values in clear only for a caller granted 'values'.
        clear = pb.GetProfileRequest(customer_key=key,
                                     include_identifier_values=True)
        self.assertEqual(self.code_of(self.stub.GetProfile, clear, READER),
                         grpc.StatusCode.PERMISSION_DENIED)
        masked = self.call(self.stub.GetProfile,
                           pb.GetProfileRequest(customer_key=key), READER)
        shown = self.call(self.stub.GetProfile, clear, WRITER)
        self.assertNotIn("li.na@126.com", str(masked))
        self.assertIn("li.na@126.com", str(shown))
        explain = pb.ExplainRequest(customer_key=key, include_values=True)
        self.assertEqual(self.code_of(self.stub.Explain, explain, READER),
                         grpc.StatusCode.PERMISSION_DENIED)
        self.call(self.stub.Explain, explain, WRITER)
        probe = pb.ResolveRequest(
            probe=pb.Record(identifiers=[pb.Identifier(
                type=pb.IDENTIFIER_TYPE_EMAIL, value="li.na@126.com")]),
            explain=True, include_values=True)
        self.assertEqual(self.code_of(self.stub.Resolve, probe, READER),
                         grpc.StatusCode.PERMISSION_DENIED)

    def test_plaintext_client_is_refused(self):
        with grpc.insecure_channel(self.server.address) as plain:
            stub = pb_grpc.IdentityServiceStub(plain)
            with self.assertRaises(grpc.RpcError) as caught:
                stub.Resolve(pb.ResolveRequest(customer_key="C1"), timeout=5,
                             metadata=(("authorization", "Bearer " + WRITER),))
            self.assertIn(caught.exception.code(),
                          (grpc.StatusCode.UNAVAILABLE,
                           grpc.StatusCode.DEADLINE_EXCEEDED))


if __name__ == "__main__":
    unittest.main(verbosity=2)
