package io.caduceus.adapters.fabric;

import com.google.protobuf.Any;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.pseudonym.PatientPseudonym;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Instant;
import java.util.Optional;
import org.hyperledger.fabric.protos.gateway.ErrorDetail;

/** Builders for entries and for gRPC failures shaped like the ones a Fabric peer gateway returns. */
final class TestEntries {

    static final String PSEUDONYM = "pp1_" + "ab".repeat(32);

    private TestEntries() {
    }

    static RecordId recordId(long i) {
        return new RecordId("r_" + String.format("%032x", i));
    }

    static LedgerEntry entry(long i) {
        return new LedgerEntry(recordId(i), Digest.fromHex(String.format("%064x", i + 1)), "ADT^A01",
                new SourceSystem("EPIC", "ST_MARY"), Instant.parse("2025-01-02T03:04:05.678Z"),
                Optional.of(new PatientPseudonym(PSEUDONYM)));
    }

    /** A StatusRuntimeException carrying Fabric ErrorDetails in its trailers, as the gateway sends them. */
    static StatusRuntimeException grpcError(io.grpc.Status.Code code, String message, String... detailMessages) {
        com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder().setCode(code.value())
                .setMessage(message);
        int n = 0;
        for (String detail : detailMessages) {
            status.addDetails(Any.pack(ErrorDetail.newBuilder().setMspId("HospitalMSP")
                    .setAddress("peer" + n++ + ".hospital.example:7051").setMessage(detail).build()));
        }
        return StatusProto.toStatusRuntimeException(status.build());
    }
}
