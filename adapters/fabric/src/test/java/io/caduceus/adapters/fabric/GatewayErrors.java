package io.caduceus.adapters.fabric;

import com.google.protobuf.Any;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.hyperledger.fabric.protos.gateway.ErrorDetail;

/** gRPC failures shaped like the ones a Fabric peer gateway returns. */
final class GatewayErrors {

    private GatewayErrors() {
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
