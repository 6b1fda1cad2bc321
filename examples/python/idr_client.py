#!/usr/bin/python3
"""A small idr.v1 client in Python (Debian's python3-grpcio), as a starting
point for services that talk to `idr serve`.

It compiles the API with the system protoc and gRPC's Python plugin, then
walks through the everyday calls: ingest a web sign-up and a store purchase
of one customer, resolve her by loyalty card, read her 360° profile and why
her records were linked, read the change feed, and forget her.

    python3 examples/python/idr_client.py --address 127.0.0.1:50051
    python3 examples/python/idr_client.py --address HOST:PORT \\
        --ca server.pem --token "$IDR_TOKEN"        # TLS and a caller token
"""

import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "proto"))


def load_api(proto_root):
    """Generates the Python modules of idr.v1 and imports them."""
    out = tempfile.mkdtemp(prefix="idr-api-")
    subprocess.run(
        ["protoc", "-I" + proto_root, "--python_out=" + out,
         "--grpc_out=" + out,
         "--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin",
         "idr/v1/identity_service.proto"], check=True)
    sys.path.insert(0, out)
    from idr.v1 import identity_service_pb2, identity_service_pb2_grpc
    return identity_service_pb2, identity_service_pb2_grpc


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--address", default="127.0.0.1:50051")
    parser.add_argument("--ca", help="PEM certificate to trust (TLS)")
    parser.add_argument("--token", help="caller token (--config of the server)")
    parser.add_argument("--proto-root", default=PROTO_ROOT)
    args = parser.parse_args()

    import grpc
    pb, pb_grpc = load_api(args.proto_root)
    if args.ca:
        with open(args.ca, "rb") as f:
            channel = grpc.secure_channel(
                args.address, grpc.ssl_channel_credentials(f.read()))
    else:
        channel = grpc.insecure_channel(args.address)
    metadata = (("authorization", "Bearer " + args.token),) if args.token \
        else ()
    stub = pb_grpc.IdentityServiceStub(channel)

    def call(method, request):
        return method(request, timeout=10, metadata=metadata)

    # Two channels, one customer: the web sign-up and the store purchase
    # share an e-mail; the store record carries the loyalty card.
    web = pb.Record(channel=pb.CHANNEL_WEB, source_system="web",
                    source_record_id="signup-77")
    web.identifiers.add(type=pb.IDENTIFIER_TYPE_EMAIL,
                        value="Wang.Fang@163.com")
    web.names.add(full="王芳")
    store = pb.Record(channel=pb.CHANNEL_STORE, source_system="pos",
                      source_record_id="till-3-9912")
    store.identifiers.add(type=pb.IDENTIFIER_TYPE_EMAIL,
                          value="wang.fang@163.com")
    store.identifiers.add(type=pb.IDENTIFIER_TYPE_LOYALTY_ID,
                          value="LC 0077 1234 56")
    store.identifiers.add(type=pb.IDENTIFIER_TYPE_PHONE,
                          value="+86 139 1234 5678")
    store.names.add(full="WANG Fang")
    store.loyalty.tier = "silver"
    store.loyalty.points = 830
    results = call(stub.Ingest, pb.IngestRequest(records=[web, store])).results
    for r in results:
        print("ingest %s/%s: %s -> %s" % (
            r.record.source_system, r.record.source_record_id,
            pb.Outcome.Name(r.outcome), r.customer_key))
    key = results[-1].customer_key

    probe = pb.Record()
    probe.identifiers.add(type=pb.IDENTIFIER_TYPE_LOYALTY_ID,
                          value="LC0077123456")
    found = call(stub.Resolve, pb.ResolveRequest(probe=probe))
    print("resolve by loyalty card: %s (%s)" % (
        found.customer_key, pb.MatchKind.Name(found.match_kind)))

    # Identifier values come masked ("+86•••••••000") unless asked for.
    profile = call(stub.GetProfile,
                   pb.GetProfileRequest(customer_key=key,
                                        include_identifier_values=True)).profile
    print("profile: %d records, name %r, phone %s, tier %s" % (
        profile.record_count, profile.best_name.name.full,
        profile.best_phone.identifier.value, profile.loyalty.loyalty.tier))
    for activity in profile.channel_activity:
        print("  channel %s: %d records, %d days since last seen" % (
            pb.Channel.Name(activity.channel), activity.record_count,
            activity.days_since_last_seen))

    why = call(stub.Explain, pb.ExplainRequest(customer_key=key)).explanation
    for link in why.links:
        print("link %s ~ %s: p=%.3f %s" % (
            link.left.source_record_id, link.right.source_record_id,
            link.match_probability,
            ", ".join("%s %s %+.1f" % (c.field, c.comparison_level,
                                       c.match_weight)
                      for c in link.comparisons)))

    feed = stub.WatchChanges(pb.WatchChangesRequest(start_from_beginning=True),
                             metadata=metadata)
    first = next(feed)
    feed.cancel()
    print("first change: #%d %s %s (resume token %r)" % (
        first.sequence, pb.ChangeType.Name(first.type), first.customer_key,
        first.resume_token))

    gone = call(stub.Forget, pb.ForgetRequest(customer_key=key,
                                              reason="customer asked",
                                              actor="example:dpo"))
    print("forget: %d records erased" % gone.records_erased)
    return 0


if __name__ == "__main__":
    sys.exit(main())
