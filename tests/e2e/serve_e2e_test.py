"""End to end: `idr serve` answers a real gRPC client (Debian's python3-grpcio).

Checks gRPC health checking, a server-reflection listing, that every idr.v1
RPC is implemented (an empty request is INVALID_ARGUMENT, an empty change
watch simply waits), and a clean stop on SIGTERM. The RPCs' behaviour is in
service_e2e_test.py.
"""

import os
import sqlite3
import sys
import unittest

import e2e_util

IDR_PROTO = os.path.abspath(sys.argv.pop(1))  # proto/idr/v1/identity_service.proto
e2e_util.IDR = os.path.abspath(sys.argv.pop(1))
IDR_PROTO_ROOT = IDR_PROTO[: -len("idr/v1/identity_service.proto")]

e2e_util.compile_protos([
    (e2e_util.PROTO_ROOTS[0], "health/v1/health.proto"),
    (e2e_util.PROTO_ROOTS[0], "reflection/v1alpha/reflection.proto"),
])
e2e_util.compile_protos([(IDR_PROTO_ROOT, "idr/v1/identity_service.proto")])

import grpc  # noqa: E402
from google.protobuf import descriptor_pb2  # noqa: E402
from health.v1 import health_pb2, health_pb2_grpc  # noqa: E402
from idr.v1 import identity_service_pb2  # noqa: E402
from reflection.v1alpha import reflection_pb2, reflection_pb2_grpc  # noqa: E402

TIMEOUT = 10


class ServeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = os.path.join(e2e_util.tmpdir(), "serve-e2e.db")
        cls.server = e2e_util.Server(cls.db)
        cls.channel = grpc.insecure_channel(cls.server.address)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        if cls.server.proc.poll() is None:
            cls.server.stop()

    def test_health_serving_overall_and_for_the_service(self):
        stub = health_pb2_grpc.HealthStub(self.channel)
        for service in ("", "idr.v1.IdentityService"):
            reply = stub.Check(health_pb2.HealthCheckRequest(service=service),
                               timeout=TIMEOUT)
            self.assertEqual(reply.status,
                             health_pb2.HealthCheckResponse.SERVING, service)
        with self.assertRaises(grpc.RpcError) as caught:
            stub.Check(health_pb2.HealthCheckRequest(service="no.such.Service"),
                       timeout=TIMEOUT)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.NOT_FOUND)

    def _reflect(self, **request):
        stub = reflection_pb2_grpc.ServerReflectionStub(self.channel)
        replies = list(stub.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(**request)]),
            timeout=TIMEOUT))
        self.assertEqual(len(replies), 1)
        return replies[0]

    def test_reflection_lists_the_services(self):
        reply = self._reflect(list_services="")
        names = {s.name for s in reply.list_services_response.service}
        self.assertLessEqual(
            {"idr.v1.IdentityService", "grpc.health.v1.Health",
             "grpc.reflection.v1alpha.ServerReflection"}, names)

    def test_reflection_serves_the_idr_v1_descriptor(self):
        reply = self._reflect(file_containing_symbol="idr.v1.IdentityService")
        files = [descriptor_pb2.FileDescriptorProto.FromString(raw) for raw in
                 reply.file_descriptor_response.file_descriptor_proto]
        idr_file = [f for f in files if f.package == "idr.v1"]
        self.assertEqual(len(idr_file), 1)
        served = {m.name for s in idr_file[0].service for m in s.method}
        local = {m.name for m in identity_service_pb2.DESCRIPTOR
                 .services_by_name["IdentityService"].methods}
        self.assertEqual(served, local)

    def test_every_rpc_is_implemented(self):
        service = identity_service_pb2.DESCRIPTOR.services_by_name[
            "IdentityService"]
        self.assertGreaterEqual(len(service.methods), 8)
        for method in service.methods:
            request_class = getattr(identity_service_pb2,
                                    method.input_type.name)
            response_class = getattr(identity_service_pb2,
                                      method.output_type.name)
            path = "/idr.v1.IdentityService/" + method.name
            kwargs = dict(request_serializer=request_class.SerializeToString,
                          response_deserializer=response_class.FromString)
            request = request_class()
            # An empty watch is valid (changes from now on): it waits.
            expected = (grpc.StatusCode.DEADLINE_EXCEEDED
                        if method.name == "WatchChanges" else
                        grpc.StatusCode.INVALID_ARGUMENT)
            with self.subTest(rpc=method.name):
                with self.assertRaises(grpc.RpcError) as caught:
                    if method.client_streaming and method.server_streaming:
                        call = self.channel.stream_stream(path, **kwargs)
                        list(call(iter([request]), timeout=TIMEOUT))
                    elif method.client_streaming:
                        self.channel.stream_unary(path, **kwargs)(
                            iter([request]), timeout=TIMEOUT)
                    elif method.server_streaming:
                        call = self.channel.unary_stream(path, **kwargs)
                        list(call(request, timeout=1))
                    else:
                        self.channel.unary_unary(path, **kwargs)(
                            request, timeout=TIMEOUT)
                self.assertEqual(caught.exception.code(), expected)

    def test_zz_sigterm_stops_cleanly_and_leaves_a_wal_database(self):
        code, err = self.server.stop()
        self.assertEqual(code, 0, err)
        self.assertIn("stopped", err)
        with sqlite3.connect(self.db) as conn:
            self.assertEqual(conn.execute("PRAGMA journal_mode").fetchone()[0],
                             "wal")
            self.assertGreaterEqual(
                conn.execute("PRAGMA user_version").fetchone()[0], 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
