"""End to end: the idr.v1 RPCs against `idr serve` on a new database, from
Debian's python3-grpcio: ingest records from two channels, resolve, get the
360° profile, explain, watch the change feed, merge, unmerge, forget, and
bad requests answered with the right status codes while the server stays up.
"""

import os
import sys
import threading
import unittest
import urllib.request

import e2e_util

IDR_PROTO = os.path.abspath(sys.argv.pop(1))
e2e_util.IDR = os.path.abspath(sys.argv.pop(1))
IDR_PROTO_ROOT = IDR_PROTO[: -len("idr/v1/identity_service.proto")]
e2e_util.compile_protos([(IDR_PROTO_ROOT, "idr/v1/identity_service.proto")])

import grpc  # noqa: E402
from google.protobuf import field_mask_pb2  # noqa: E402
from idr.v1 import identity_service_pb2 as pb  # noqa: E402
from idr.v1 import identity_service_pb2_grpc as pb_grpc  # noqa: E402

TIMEOUT = 20


def record(system, rid, channel, email=None, phone=None, loyalty=None,
           given=None, family=None, full=None, tier=None, observed=0):
    r = pb.Record(channel=channel, source_system=system, source_record_id=rid)
    if observed:
        r.observed_at.seconds = observed
    for kind, value in ((pb.IDENTIFIER_TYPE_EMAIL, email),
                        (pb.IDENTIFIER_TYPE_PHONE, phone),
                        (pb.IDENTIFIER_TYPE_LOYALTY_ID, loyalty)):
        if value:
            r.identifiers.add(type=kind, value=value)
    if given or family or full:
        r.names.add(given=given or "", family=family or "", full=full or "")
    if tier:
        r.loyalty.tier = tier
        r.loyalty.points = 1200
    return r


class ServiceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = os.path.join(e2e_util.tmpdir(), "service-e2e.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(cls.db + suffix):
                os.remove(cls.db + suffix)
        cls.server = e2e_util.Server(cls.db,
                                     ("--metrics-listen", "127.0.0.1:0"))
        cls.channel = grpc.insecure_channel(cls.server.address)
        cls.stub = pb_grpc.IdentityServiceStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        code, err = cls.server.stop()
        assert code == 0, err

    def ingest(self, *records):
        response = self.stub.Ingest(pb.IngestRequest(records=records),
                                    timeout=TIMEOUT)
        self.assertEqual(len(response.results), len(records))
        return response.results

    def test_1_two_channels_one_customer_profile_and_explanation(self):
        web, store = self.ingest(
            record("web", "w-1", pb.CHANNEL_WEB, email="mei.chen@qq.com",
                   full="陳美玲", observed=1_600_000_000),
            record("pos", "s-9", pb.CHANNEL_STORE, email="mei.chen@qq.com",
                   phone="+86 138 0013 8000", loyalty="LC0012345678",
                   full="CHAN Mei Ling", tier="gold",
                   observed=1_700_000_000))
        self.assertEqual(web.outcome, pb.OUTCOME_CREATED, web)
        self.assertEqual(store.outcome, pb.OUTCOME_ATTACHED, store)
        self.assertEqual(store.customer_key, web.customer_key)
        key = web.customer_key

        found = self.stub.Resolve(pb.ResolveRequest(
            probe=pb.Record(identifiers=[pb.Identifier(
                type=pb.IDENTIFIER_TYPE_LOYALTY_ID, value="LC0012345678")]),
            explain=True), timeout=TIMEOUT)
        self.assertEqual(found.customer_key, key)
        self.assertEqual(found.match_kind, pb.MATCH_KIND_EXACT_IDENTIFIER)
        by_ref = self.stub.Resolve(pb.ResolveRequest(
            record_ref=pb.RecordRef(source_system="web",
                                    source_record_id="w-1")),
            timeout=TIMEOUT)
        self.assertEqual(by_ref.customer_key, key)

        profile = self.stub.GetProfile(pb.GetProfileRequest(
            customer_key=key), timeout=TIMEOUT).profile
        self.assertEqual(profile.record_count, 2)
        channels = {a.channel: a for a in profile.channel_activity}
        self.assertEqual(set(channels), {pb.CHANNEL_WEB, pb.CHANNEL_STORE})
        self.assertEqual(channels[pb.CHANNEL_WEB].first_seen.seconds,
                         1_600_000_000)
        self.assertEqual(profile.loyalty.loyalty.tier, "gold")
        # Member records, most recently observed first.
        self.assertEqual(
            [(m.record.source_system, m.record.source_record_id, m.channel,
              m.observed_at.seconds) for m in profile.member_records],
            [("pos", "s-9", pb.CHANNEL_STORE, 1_700_000_000),
             ("web", "w-1", pb.CHANNEL_WEB, 1_600_000_000)])
        self.assertFalse(profile.member_records_truncated)
        # Identifier values are masked unless asked for.
        self.assertEqual(profile.best_phone.identifier.value, "")
        self.assertEqual(profile.best_phone.identifier.masked_value,
                         "+86\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022000")
        self.assertTrue(all(i.identifier.value == "" and i.identifier.masked_value
                            for i in profile.identifiers))
        types = {i.identifier.type for i in profile.identifiers}
        self.assertIn(pb.IDENTIFIER_TYPE_LOYALTY_ID, types)
        clear = self.stub.GetProfile(pb.GetProfileRequest(
            customer_key=key, include_identifier_values=True),
            timeout=TIMEOUT).profile
        self.assertEqual(clear.best_phone.identifier.value, "+8613800138000")
        # A read mask keeps only its fields (and the key); a limit cuts.
        some = self.stub.GetProfile(pb.GetProfileRequest(
            customer_key=key, max_identifiers=1, max_member_records=1,
            read_mask=field_mask_pb2.FieldMask(
                paths=["record_count", "identifiers",
                       "identifiers_truncated", "member_records",
                       "member_records_truncated"])),
            timeout=TIMEOUT).profile
        self.assertEqual(some.customer_key, key)
        self.assertEqual(some.record_count, 2)
        self.assertEqual(len(some.identifiers), 1)
        self.assertTrue(some.identifiers_truncated)
        self.assertEqual([m.record.source_record_id
                          for m in some.member_records], ["s-9"])
        self.assertTrue(some.member_records_truncated)
        self.assertFalse(some.HasField("best_phone"))
        self.assertEqual(len(some.channel_activity), 0)

        why = self.stub.Explain(pb.ExplainRequest(customer_key=key),
                                timeout=TIMEOUT).explanation
        self.assertEqual(why.customer_key, key)
        self.assertGreaterEqual(len(why.links), 1)
        self.assertTrue(any(c.field for c in why.links[0].comparisons))
        # Splink's vocabulary: a probabilistic link's weight is its rule's
        # prior plus each comparison's level weight and TF adjustment.
        (link,) = [l for l in why.links
                   if l.kind == pb.LINK_KIND_PROBABILISTIC]
        self.assertTrue(link.HasField("prior_match_weight"))
        total = link.prior_match_weight + sum(
            c.match_weight + c.tf_adjustment for c in link.comparisons)
        self.assertAlmostEqual(total, link.match_weight, places=3)
        email = [c for c in link.comparisons if c.field == "email"][0]
        self.assertEqual(email.comparison_level, "exact")
        self.assertGreater(email.comparison_vector_value, 0)
        self.assertGreater(email.m_probability, email.u_probability)
        # The model that scored it: 16 hex digits, the same on every call.
        self.assertRegex(why.model_version, "^[0-9a-f]{16}$")
        # Compared values are withheld unless asked for (and permitted:
        # this dev-mode server permits everything).
        self.assertTrue(why.redacted)
        self.assertNotIn("mei.chen@qq.com", str(why))
        shown = self.stub.Explain(pb.ExplainRequest(
            customer_key=key, include_values=True, max_links=1,
            record=pb.RecordRef(source_system="pos", source_record_id="s-9")),
            timeout=TIMEOUT).explanation
        self.assertFalse(shown.redacted)
        self.assertEqual(shown.model_version, why.model_version)
        self.assertEqual(len(shown.links), 1)
        self.assertEqual(shown.links[0].left.source_record_id, "s-9")
        (email,) = [c for c in shown.links[0].comparisons
                    if c.field == "email"]
        self.assertEqual((email.left.value, email.right.value),
                         ("mei.chen@qq.com", "mei.chen@qq.com"))
        for bad, code in (
                (pb.ExplainRequest(customer_key=key, record=pb.RecordRef(
                    source_record_id="nope")), grpc.StatusCode.NOT_FOUND),
                (pb.ExplainRequest(customer_key=key, max_links=2001),
                 grpc.StatusCode.INVALID_ARGUMENT)):
            with self.assertRaises(grpc.RpcError) as caught:
                self.stub.Explain(bad, timeout=TIMEOUT)
            self.assertEqual(caught.exception.code(), code)

    def test_1b_issuers_scope_loyalty_cards_and_give_phones_a_region(self):
        def card(rid, issuer, phone):
            r = record("pos", rid, pb.CHANNEL_STORE, given="Xiu Ying",
                       family="Wang")
            r.identifiers.add(type=pb.IDENTIFIER_TYPE_LOYALTY_ID,
                              value="88 0042 7719", issuer=issuer)
            r.identifiers.add(type=pb.IDENTIFIER_TYPE_PHONE, value=phone,
                              issuer="CN")
            return r
        club_a, club_a_again, club_b = self.ingest(
            card("is-1", "club-a", "139 1000 2000"),
            card("is-2", "club-a", "+86 139 1000 2000"),
            card("is-3", "club-b", "137 5000 6000"))
        # One program's card links; the same number of another program is
        # another card (and here another person).
        self.assertEqual(club_a_again.customer_key, club_a.customer_key)
        self.assertEqual(club_a_again.outcome, pb.OUTCOME_ATTACHED)
        why = self.stub.Explain(pb.ExplainRequest(
            customer_key=club_a.customer_key), timeout=TIMEOUT).explanation
        self.assertEqual([(l.kind, list(l.shared_identifier_types))
                          for l in why.links],
                         [(pb.LINK_KIND_DETERMINISTIC,
                           [pb.IDENTIFIER_TYPE_LOYALTY_ID])])
        self.assertNotEqual(club_b.customer_key, club_a.customer_key)
        profile = self.stub.GetProfile(pb.GetProfileRequest(
            customer_key=club_a.customer_key, include_identifier_values=True),
            timeout=TIMEOUT).profile
        ids = {(i.identifier.type, i.identifier.issuer, i.identifier.value)
               for i in profile.identifiers}
        self.assertIn((pb.IDENTIFIER_TYPE_LOYALTY_ID, "CLUBA", "8800427719"),
                      ids)
        # The national number was read in its region: one E.164 value.
        self.assertIn((pb.IDENTIFIER_TYPE_PHONE, "", "+8613910002000"), ids)
        self.assertEqual(
            len([i for i in ids if i[0] == pb.IDENTIFIER_TYPE_PHONE]), 1)
        with self.assertRaises(grpc.RpcError) as caught:
            self.stub.Resolve(pb.ResolveRequest(probe=pb.Record(
                identifiers=[pb.Identifier(type=pb.IDENTIFIER_TYPE_PHONE,
                                           value="139 1000 2000",
                                           issuer="China")])),
                timeout=TIMEOUT)
        self.assertEqual(caught.exception.code(),
                         grpc.StatusCode.INVALID_ARGUMENT)
        found = self.stub.Resolve(pb.ResolveRequest(probe=pb.Record(
            identifiers=[pb.Identifier(type=pb.IDENTIFIER_TYPE_LOYALTY_ID,
                                       value="8800427719", issuer="club-b")])),
            timeout=TIMEOUT)
        self.assertEqual(found.customer_key, club_b.customer_key)

    def test_2_change_feed_resumes_without_missing_anything(self):
        # The first event ever, then a stream resumed after it.
        stream = self.stub.WatchChanges(
            pb.WatchChangesRequest(start_from_beginning=True))
        first = next(stream)
        stream.cancel()
        self.assertEqual(first.type, pb.CHANGE_TYPE_CREATED)
        resumed = self.stub.WatchChanges(pb.WatchChangesRequest(
            resume_token=first.resume_token))
        got, wanted, done = [], {}, threading.Event()

        def read():
            try:
                for event in resumed:
                    got.append(event)
                    if event.customer_key == wanted.get("key"):
                        done.set()
            except grpc.RpcError:
                pass  # Cancelled below.

        reader = threading.Thread(target=read)
        reader.start()
        (new,) = self.ingest(record("app", "a-1", pb.CHANNEL_APP,
                                    email="tom.baker@gmail.com", given="Tom",
                                    family="Baker"))
        wanted["key"] = new.customer_key
        # The event may have arrived before the key was known.
        if any(e.customer_key == new.customer_key for e in got):
            done.set()
        self.assertTrue(done.wait(TIMEOUT), "the new customer never came")
        resumed.cancel()
        reader.join(TIMEOUT)
        sequences = [e.sequence for e in got]
        self.assertEqual(sequences, sorted(sequences))
        self.assertGreater(sequences[0], first.sequence)
        # Nothing missed: every sequence after the first event, in order.
        self.assertEqual(sequences[0], first.sequence + 1)

    def test_3_merge_unmerge_forget_and_replay(self):
        a, b = self.ingest(
            record("crm", "c-1", pb.CHANNEL_CALL_CENTER, given="Wing",
                   family="Lee", phone="+852 9123 4567"),
            record("crm", "c-2", pb.CHANNEL_CALL_CENTER, given="Kit",
                   family="Ho", email="kit.ho@yahoo.com.hk"))
        self.assertNotEqual(a.customer_key, b.customer_key)
        merge = pb.MergeRequest(
            customer_keys=[a.customer_key, b.customer_key],
            reason="same person, said the agent", actor="agent:jdoe",
            request_id="ticket-4711")
        merged = self.stub.Merge(merge, timeout=TIMEOUT)
        self.assertEqual(merged.surviving_key, a.customer_key)
        self.assertEqual(list(merged.retired_keys), [b.customer_key])
        # A retry (the first answer was lost) gets the same answer; without
        # the request_id it would merge a customer with itself.
        self.assertEqual(self.stub.Merge(merge, timeout=TIMEOUT), merged)
        old = self.stub.Resolve(pb.ResolveRequest(
            customer_key=b.customer_key), timeout=TIMEOUT)
        self.assertEqual(old.customer_key, a.customer_key)
        self.assertEqual(old.match_kind, pb.MATCH_KIND_KEY_REDIRECT)
        # The audit log says who asked for the merge, and why.
        history = self.stub.Explain(pb.ExplainRequest(
            customer_key=a.customer_key), timeout=TIMEOUT).explanation.history
        (entry,) = [h for h in history if h.action == pb.AUDIT_ACTION_MERGE]
        self.assertFalse(entry.automatic)
        self.assertEqual(entry.actor, "agent:jdoe")
        self.assertEqual(entry.reason, "manual: same person, said the agent")
        self.assertEqual(entry.audit_id, merged.audit_id)

        split = self.stub.Unmerge(pb.UnmergeRequest(
            customer_key=a.customer_key, reason="two people",
            actor="agent:jdoe",
            records_to_split=[pb.RecordRef(source_system="crm",
                                           source_record_id="c-2")]),
            timeout=TIMEOUT)
        self.assertEqual(len(split.new_keys), 1)
        self.assertGreater(int(split.audit_id), int(merged.audit_id))

        forget = pb.ForgetRequest(customer_key=a.customer_key,
                                  reason="erasure request",
                                  actor="dpo:anna", request_id="dsar-1",
                                  request_reference="DSAR-2026-0001")
        gone = self.stub.Forget(forget, timeout=TIMEOUT)
        self.assertEqual(gone.records_erased, 1)
        # c-1's phone and its name parts were only its own: erased; the
        # audit entry is the newest.
        self.assertEqual(gone.identifiers_erased, 1)
        self.assertGreater(int(gone.audit_id), int(split.audit_id))
        self.assertEqual(self.stub.Forget(forget, timeout=TIMEOUT), gone)
        with self.assertRaises(grpc.RpcError) as caught:
            self.stub.GetProfile(pb.GetProfileRequest(
                customer_key=a.customer_key), timeout=TIMEOUT)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.NOT_FOUND)
        (replayed,) = self.ingest(
            record("crm", "c-1", pb.CHANNEL_CALL_CENTER, given="Wing",
                   family="Lee", phone="+852 9123 4567"))
        self.assertEqual(replayed.outcome, pb.OUTCOME_REJECTED_FORGOTTEN)

    def test_3b_unmerge_split_each(self):
        results = self.ingest(*[
            record("app", "sp-%d" % i, pb.CHANNEL_APP,
                   email="wong.kk@gmail.com", given="Ka Ki", family="WONG")
            for i in range(3)])
        key = results[0].customer_key
        self.assertEqual({r.customer_key for r in results}, {key})
        split = self.stub.Unmerge(pb.UnmergeRequest(
            customer_key=key, reason="three people share the address",
            actor="agent:jdoe", split_each=True,
            records_to_split=[pb.RecordRef(source_system="app",
                                           source_record_id="sp-%d" % i)
                              for i in (1, 2)]), timeout=TIMEOUT)
        self.assertEqual(split.original_key, key)
        self.assertEqual(len(set(split.new_keys) | {key}), 3)
        for i, new_key in zip((1, 2), split.new_keys):
            resolved = self.stub.Resolve(pb.ResolveRequest(
                record_ref=pb.RecordRef(source_system="app",
                                        source_record_id="sp-%d" % i)),
                timeout=TIMEOUT)
            self.assertEqual(resolved.customer_key, new_key)

    def test_4_bad_requests(self):
        def code_of(call):
            with self.assertRaises(grpc.RpcError) as caught:
                call()
            return caught.exception.code()

        invalid = grpc.StatusCode.INVALID_ARGUMENT
        s = self.stub
        self.assertEqual(code_of(lambda: s.Ingest(pb.IngestRequest(),
                                                  timeout=TIMEOUT)), invalid)
        self.assertEqual(code_of(lambda: s.Resolve(pb.ResolveRequest(),
                                                   timeout=TIMEOUT)), invalid)
        self.assertEqual(code_of(lambda: s.GetProfile(
            pb.GetProfileRequest(), timeout=TIMEOUT)), invalid)
        self.assertEqual(code_of(lambda: s.GetProfile(
            pb.GetProfileRequest(customer_key="Cnothere", max_identifiers=-1),
            timeout=TIMEOUT)), invalid)
        self.assertEqual(code_of(lambda: s.GetProfile(
            pb.GetProfileRequest(customer_key="Cnothere",
                                 read_mask=field_mask_pb2.FieldMask(
                                     paths=["no_such_field"])),
            timeout=TIMEOUT)), invalid)
        self.assertEqual(code_of(lambda: s.GetProfile(
            pb.GetProfileRequest(customer_key="Cnothere"),
            timeout=TIMEOUT)), grpc.StatusCode.NOT_FOUND)
        who = dict(reason="checked", actor="agent:jdoe")
        self.assertEqual(code_of(lambda: s.Merge(pb.MergeRequest(
            customer_keys=["Cx", "Cx"], **who), timeout=TIMEOUT)), invalid)
        self.assertEqual(code_of(lambda: s.Merge(pb.MergeRequest(
            customer_keys=["Cx", "Cy"], request_id="r" * 129, **who),
            timeout=TIMEOUT)), invalid)
        # A manual change must say why and on whose behalf.
        self.assertEqual(code_of(lambda: s.Merge(pb.MergeRequest(
            customer_keys=["Cx", "Cy"], reason="checked"),
            timeout=TIMEOUT)), invalid)
        self.assertEqual(code_of(lambda: s.Unmerge(pb.UnmergeRequest(
            customer_key="Cx", actor="agent:jdoe",
            records_to_split=[pb.RecordRef(source_record_id="r")]),
            timeout=TIMEOUT)), invalid)
        self.assertEqual(code_of(lambda: s.Forget(pb.ForgetRequest(
            customer_key="Cnothere", reason="asked", actor="dpo:anna",
            request_reference="x" * 129), timeout=TIMEOUT)), invalid)
        self.assertEqual(code_of(lambda: s.Forget(
            pb.ForgetRequest(customer_key="Cnothere", **who),
            timeout=TIMEOUT)), grpc.StatusCode.NOT_FOUND)
        self.assertEqual(code_of(lambda: s.WatchChanges(
            pb.WatchChangesRequest(resume_token=b"garbage"),
            timeout=TIMEOUT).next()), invalid)
        # 10 MB: over the server's limit.
        huge = record("web", "big", pb.CHANNEL_WEB, email="a@b.cn")
        huge.attributes["blob"] = "x" * (10 << 20)
        self.assertEqual(code_of(lambda: s.Ingest(pb.IngestRequest(
            records=[huge]), timeout=TIMEOUT)),
            grpc.StatusCode.RESOURCE_EXHAUSTED)
        # Per-record errors do not fail the batch.
        bad_channel = record("web", "bad", pb.CHANNEL_WEB, email="c@d.cn")
        bad_channel.channel = 99
        results = self.ingest(
            bad_channel, pb.Record(source_system="web", source_record_id="e"),
            record("web", "fine", pb.CHANNEL_WEB, email="fine.one@163.com"))
        self.assertEqual([r.outcome for r in results],
                         [pb.OUTCOME_FAILED, pb.OUTCOME_FAILED,
                          pb.OUTCOME_CREATED])
        self.assertEqual(results[0].error.code, 3)
        self.assertIn("channel", results[0].error.message)
        # Invalid UTF-8 in a string field: the request cannot be decoded.
        raw = self.channel.unary_unary(
            "/idr.v1.IdentityService/Ingest",
            request_serializer=lambda b: b,
            response_deserializer=pb.IngestResponse.FromString)
        record_bytes = b"\x1a\x02\xff\xfe"  # source_record_id = FF FE
        with self.assertRaises(grpc.RpcError) as caught:
            raw(b"\x0a" + bytes([len(record_bytes)]) + record_bytes,
                timeout=TIMEOUT)
        self.assertEqual(caught.exception.code(), invalid)
        self.assertIn("malformed", caught.exception.details())
        # The server is still up.
        self.assertEqual(len(self.ingest(record(
            "web", "after", pb.CHANNEL_WEB, email="after.all@163.com"))), 1)

    def test_5_prometheus_metrics(self):
        self.assertIsNotNone(self.server.metrics_url)
        with urllib.request.urlopen(self.server.metrics_url,
                                    timeout=TIMEOUT) as page:
            text = page.read().decode()
        def value(prefix):
            for line in text.splitlines():
                if line.startswith(prefix):
                    return float(line.rsplit(" ", 1)[1])
            self.fail("no %s in /metrics" % prefix)
        self.assertGreaterEqual(
            value('idr_requests_total{code="OK",method="Ingest"}'), 3)
        self.assertGreaterEqual(
            value('idr_requests_total{code="INVALID_ARGUMENT",'
                  'method="Ingest"}'), 1)
        self.assertGreater(value(
            'idr_request_duration_seconds_count{method="Resolve"}'), 0)
        self.assertEqual(value('idr_merges_total{kind="manual"}'), 1)
        self.assertGreater(value("idr_graph_records"), 0)
        self.assertGreater(value("idr_database_bytes"), 0)
        self.assertIn("idr_review_queue", text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
