package io.caduceus.bridge.anchoring;

import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * What {@code caduceus.anchor.devnet-bootstrap=true} asks of the devnet: create the anchoring key, fund it, deploy a
 * registry. Implemented by the dev-only module {@code caduceus-devnet-bootstrap} (devnet/bootstrap), which the devnet's
 * {@code ./caduceus up} and the integration tests put on the classpath and production images do not ship; found with
 * {@link ServiceLoader}, so the production jar holds no code that funds keys or deploys contracts.
 */
public interface DevnetHook {

    /** Creates the anchoring key when its keystore is missing. */
    void ensureKey(AnchorSettings settings);

    /** Keeps the key funded from the devnet's well-known account. */
    void ensureFunded(AnchorSettings settings, String address);

    /**
     * The registry to anchor in: a remembered one the chain still holds for the key of {@code anchorer}, else a new
     * deployment whose only anchorer it is. The hook opens the key itself (the settings say where): the bridge never
     * holds it.
     */
    String ensureRegistry(AnchorSettings settings, String anchorer);

    /**
     * The devnet hook when {@code settings} ask for the devnet bootstrap, else empty.
     *
     * @throws DevnetHookMissingException when they ask for it and no hook is on the classpath: a production image
     *                                    configured like a devnet, which must not start as if anchoring could work
     */
    static Optional<DevnetHook> required(AnchorSettings settings) {
        return required(settings, ServiceLoader.load(DevnetHook.class, DevnetHook.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get).toList());
    }

    static Optional<DevnetHook> required(AnchorSettings settings, List<DevnetHook> found) {
        if (!settings.devnetBootstrap()) {
            return Optional.empty();
        }
        if (found.isEmpty()) {
            throw new DevnetHookMissingException();
        }
        return Optional.of(found.get(0));
    }

    /** {@code caduceus.anchor.devnet-bootstrap=true} without the devnet module: a configuration error, fatal at start. */
    final class DevnetHookMissingException extends AnchorSetupException {
        DevnetHookMissingException() {
            super("caduceus.anchor.devnet-bootstrap=true, but the devnet bootstrap module (caduceus-devnet-bootstrap, "
                    + "devnet/bootstrap) is not on the classpath: it is for the devnet only and production images do not "
                    + "ship it; set caduceus.anchor.devnet-bootstrap=false and provision the key and "
                    + "caduceus.anchor.contract");
        }
    }
}
