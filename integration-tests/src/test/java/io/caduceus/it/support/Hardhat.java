package io.caduceus.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.it.Devnet;
import java.io.IOException;
import java.util.List;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.methods.response.VoidResponse;
import org.web3j.protocol.http.HttpService;

/** The devnet's hardhat node, which mines only on demand: tests mine the blocks that confirm an anchor. */
public final class Hardhat {

    private final HttpService rpc;

    private Hardhat(HttpService rpc) {
        this.rpc = rpc;
    }

    /** The node the devnet publishes as {@code ethereum.rpc.url}. */
    public static Hardhat ofDevnet() {
        return new Hardhat(new HttpService(Devnet.property("ethereum.rpc.url")));
    }

    public HttpService rpc() {
        return rpc;
    }

    /** Mines one block. */
    public void mine() throws IOException {
        VoidResponse response = new Request<>("hardhat_mine", List.of("0x1"), rpc, VoidResponse.class).send();
        assertThat(response.hasError()).as("hardhat_mine").isFalse();
    }
}
