package io.caduceus.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Keeps {@code docker/compose.yaml} valid for deployers who have a Docker engine: no engine runs on the development
 * machines, so this is what checks the file. It parses the compose file (and the Fabric files it mounts) and checks
 * what the flow relies on: the Fabric network from official, pinned images, the order in which it comes up, where the
 * middleware finds the {@code fabric.properties} that {@code fabric-setup} writes, which chaincode service each peer
 * dials, declared volumes, loopback-only ports, quiet chaincode logs, restart policies and the files it references.
 */
class DockerComposeTest {

    private static final List<String> FABRIC_NODES = List.of("orderer", "peer0.hospital", "peer0.auditor");
    private static final List<String> CHAINCODES = List.of("chaincode-hospital", "chaincode-auditor");
    private static final List<String> ONE_SHOTS = List.of("fabric-init", "fabric-setup");
    private static final Pattern FABRIC_VERSION = Pattern.compile("3\\.1\\.\\d+");
    /** Compose's {@code ${VAR}}, {@code ${VAR:-default}} and {@code ${VAR-default}}. */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?}");
    /** Properties of a service in the compose specification (compose-spec.json), to catch misspelt keys. */
    private static final Set<String> SERVICE_KEYS = Set.of("annotations", "attach", "blkio_config", "build", "cap_add",
            "cap_drop", "cgroup", "cgroup_parent", "command", "configs", "container_name", "cpu_count", "cpu_percent",
            "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpu_shares", "cpus", "cpuset",
            "credential_spec", "depends_on", "deploy", "develop", "device_cgroup_rules", "devices", "dns", "dns_opt",
            "dns_search", "domainname", "entrypoint", "env_file", "environment", "expose", "extends",
            "external_links", "extra_hosts", "gpus", "group_add", "healthcheck", "hostname", "image", "init", "ipc",
            "isolation", "label_file", "labels", "links", "logging", "mac_address", "mem_limit", "mem_reservation",
            "mem_swappiness", "memswap_limit", "models", "network_mode", "networks", "oom_kill_disable",
            "oom_score_adj", "pid", "pids_limit", "platform", "ports", "post_start", "pre_stop", "privileged",
            "profiles", "provider", "pull_policy", "pull_refresh_after", "read_only", "restart", "runtime", "scale",
            "secrets", "security_opt", "shm_size", "stdin_open", "stop_grace_period", "stop_signal", "storage_opt",
            "sysctls", "tmpfs", "tty", "ulimits", "use_api_socket", "user", "userns_mode", "uts", "volumes",
            "volumes_from", "working_dir");
    private static final Set<String> TOP_LEVEL_KEYS = Set.of("name", "services", "networks", "volumes", "secrets",
            "configs", "include", "models", "version");

    private static Path repo;
    private static Path dockerDir;
    private static Map<String, Object> compose;
    private static Map<String, Map<String, Object>> services;

    @BeforeAll
    static void load() throws IOException {
        repo = repositoryRoot();
        dockerDir = repo.resolve("docker");
        compose = yaml(dockerDir.resolve("compose.yaml"));
        services = new LinkedHashMap<>();
        map(compose.get("services"), "services").forEach((name, service) -> services.put(name, map(service, name)));
    }

    @Test
    void onlyComposeSpecificationKeys() {
        for (String key : compose.keySet()) {
            assertThat(TOP_LEVEL_KEYS.contains(key) || key.startsWith("x-")).as("top-level key %s", key).isTrue();
        }
        services.forEach((name, service) -> assertThat(service.keySet())
                .as("keys of service %s", name).allMatch(k -> SERVICE_KEYS.contains(k) || k.startsWith("x-")));
    }

    @Test
    void everyServiceOfTheFlowIsThere() {
        assertThat(services).containsKeys("kafka", "ethereum", "middleware", "orderer", "peer0.hospital",
                "peer0.auditor", "fabric-init", "fabric-setup", "chaincode-hospital", "chaincode-auditor");
    }

    @Test
    void fabricRunsFromOfficialImagesPinnedTo31() {
        Set<String> versions = new TreeSet<>();
        Map<String, String> expected = Map.of("orderer", "hyperledger/fabric-orderer", "peer0.hospital",
                "hyperledger/fabric-peer", "peer0.auditor", "hyperledger/fabric-peer", "fabric-init",
                "hyperledger/fabric-tools", "fabric-setup", "hyperledger/fabric-tools");
        expected.forEach((service, repository) -> {
            String image = string(services.get(service).get("image"));
            assertThat(image).as("image of %s", service).startsWith(repository + ":");
            String tag = image.substring(repository.length() + 1);
            assertThat(tag).as("tag of %s", service).matches(FABRIC_VERSION);
            versions.add(tag);
        });
        assertThat(versions).as("one Fabric version for every node and tool").hasSize(1);
        services.forEach((name, service) -> {
            if (!service.containsKey("build")) {
                String image = string(service.get("image"));
                assertThat(image).as("image of %s is pinned by version", name).matches(".+:[^:/]+")
                        .doesNotEndWith(":latest");
            }
        });
    }

    @Test
    void middlewareStartsOnlyAfterFabricSetupCompleted() {
        assertThat(condition("middleware", "fabric-setup")).isEqualTo("service_completed_successfully");
        assertThat(condition("middleware", "kafka")).isEqualTo("service_healthy");
        assertThat(condition("middleware", "ethereum")).isEqualTo("service_healthy");
        for (String dependency : concat(FABRIC_NODES, CHAINCODES)) {
            assertThat(condition("fabric-setup", dependency)).as("fabric-setup waits for %s", dependency)
                    .isEqualTo("service_healthy");
            assertThat(services.get(dependency)).as("%s has a healthcheck", dependency).containsKey("healthcheck");
            assertThat(condition(dependency, "fabric-init")).as("%s waits for the crypto of fabric-init", dependency)
                    .isEqualTo("service_completed_successfully");
        }
    }

    @Test
    void middlewareReadsTheFabricPropertiesThatFabricSetupWrites() throws IOException {
        String configDir = environment("middleware").get("CADUCEUS_CONFIG_DIR");
        assertThat(configDir).as("the middleware's CADUCEUS_CONFIG_DIR").isNotBlank();
        Mount config = mountAt("middleware", configDir);
        assertThat(config.named()).as("the middleware's configuration is a named volume").isTrue();
        // fabric.properties names files by absolute path: fabric-setup must see the volume where the middleware does.
        assertThat(environment("fabric-setup")).containsEntry("CADUCEUS_MIDDLEWARE_CONFIG_DIR", configDir);
        Mount written = mountAt("fabric-setup", configDir);
        assertThat(written.source()).isEqualTo(config.source());
        assertThat(written.readOnly()).as("fabric-setup writes the middleware's configuration").isFalse();

        String setup = Files.readString(dockerDir.resolve("fabric/setup.sh"));
        assertThat(setup).contains("CADUCEUS_MIDDLEWARE_CONFIG_DIR", "$dir/fabric.properties");
        Map<String, String> properties = new LinkedHashMap<>();
        Matcher line = Pattern.compile("(?m)^(fabric\\.[a-z.]+)=(.*)$").matcher(setup);
        while (line.find()) {
            properties.put(line.group(1), line.group(2));
        }
        assertThat(properties).containsKeys("fabric.channel", "fabric.chaincode", "fabric.peers");
        for (String org : List.of("hospital", "bridge", "auditor")) {
            for (String key : List.of("msp.id", "peer.endpoint", "peer.tls.ca.cert", "user.cert", "user.key")) {
                assertThat(properties).containsKey("fabric." + org + "." + key);
            }
            String host = properties.get("fabric." + org + ".peer.endpoint").replaceAll(":.*", "");
            assertThat(services).as("the %s endpoint is a peer of this file", org).containsKey(host);
        }
    }

    @Test
    void channelChaincodeAndEndorsementAreTheDevnets() throws IOException {
        String setup = Files.readString(dockerDir.resolve("fabric/setup.sh"));
        assertThat(setup).contains("CHANNEL=caduceus\n", "CC_NAME=recordregistry\n",
                "CC_POLICY=\"AND('HospitalMSP.peer','AuditorMSP.peer')\"");
        Map<String, Object> configtx = yaml(dockerDir.resolve("fabric/configtx.yaml"));
        Map<String, Object> profile = map(map(configtx.get("Profiles"), "Profiles").get("Caduceus"), "Caduceus");
        List<Object> orgs = list(map(profile.get("Application"), "Application").get("Organizations"));
        assertThat(orgs).extracting(o -> map(o, "org").get("ID")).containsExactly("HospitalMSP", "AuditorMSP");
        for (Object org : orgs) {
            for (Object anchor : list(map(org, "org").get("AnchorPeers"))) {
                assertThat(services).containsKey(string(map(anchor, "anchor").get("Host")));
            }
        }
        Map<String, Object> orderer = map(profile.get("Orderer"), "Orderer");
        assertThat(orderer.get("OrdererType")).isEqualTo("etcdraft");
        for (Object consenter : list(map(orderer.get("EtcdRaft"), "EtcdRaft").get("Consenters"))) {
            assertThat(services).containsKey(string(map(consenter, "consenter").get("Host")));
        }
    }

    @Test
    void eachPeerDialsItsOwnOrgsChaincodeServiceThroughTheCcaasBuilder() throws IOException {
        String template = environment("fabric-init").get("CADUCEUS_CHAINCODE_ADDRESS");
        assertThat(template).as("the package's connection.json address").contains("{{.peername}}");
        for (String org : List.of("hospital", "auditor")) {
            String peer = "peer0." + org;
            String builderConfig = environment(peer).get("CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG");
            assertThat(builderConfig).as("%s's ccaas builder config", peer).isNotNull();
            Map<String, Object> json = yaml(builderConfig); // JSON is YAML
            String address = template.replace("{{.peername}}", string(json.get("peername")));
            String host = address.substring(0, address.lastIndexOf(':'));
            String port = address.substring(address.lastIndexOf(':') + 1);
            assertThat(host).isEqualTo("chaincode-" + org);
            assertThat(services).containsKey(host);
            assertThat(environment(host).get("CHAINCODE_SERVER_ADDRESS")).endsWith(":" + port);
            // Only the peer reaches its chaincode service: a network of their own, internal, nobody else on it.
            Set<String> shared = new TreeSet<>(networks(host));
            shared.retainAll(networks(peer));
            assertThat(shared).as("networks of %s and %s", peer, host).hasSize(1);
            String network = shared.iterator().next();
            assertThat(map(map(compose.get("networks"), "networks").get(network), network))
                    .containsEntry("internal", true);
            services.keySet().stream().filter(s -> !s.equals(peer) && !s.equals(host))
                    .forEach(s -> assertThat(networks(s)).as("networks of %s", s).doesNotContain(network));
            assertThat(mountAt(peer, "/etc/hyperledger/fabric/core.yaml").source()).isEqualTo("./fabric/core.yaml");
        }
        Map<String, Object> core = yaml(dockerDir.resolve("fabric/core.yaml"));
        assertThat(map(core.get("vm"), "vm").get("endpoint")).as("no Docker builder on the peers").isEqualTo("");
        List<Object> builders = list(map(core.get("chaincode"), "chaincode").get("externalBuilders"));
        assertThat(builders).anySatisfy(b -> {
            assertThat(map(b, "builder")).containsEntry("path", "/opt/hyperledger/ccaas_builder");
            assertThat(list(map(b, "builder").get("propagateEnvironment")))
                    .contains("CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG");
        });
    }

    @Test
    void usedVolumesAreDeclaredAndLedgersAndCryptoPersist() {
        Set<String> declared = map(compose.get("volumes"), "volumes").keySet();
        Set<String> used = new TreeSet<>();
        services.forEach((name, service) -> mounts(name).stream().filter(Mount::named)
                .forEach(m -> used.add(m.source())));
        assertThat(declared).as("declared volumes").containsExactlyInAnyOrderElementsOf(used);

        Set<String> ledgers = new LinkedHashSet<>();
        for (String node : FABRIC_NODES) {
            Mount ledger = mountAt(node, "/var/hyperledger/production");
            assertThat(ledger.named()).as("%s's ledger is a named volume", node).isTrue();
            ledgers.add(ledger.source());
            Mount crypto = mountAt(node, "/var/hyperledger/crypto");
            assertThat(crypto.source()).isEqualTo(mountAt("fabric-init", "/var/hyperledger/crypto").source());
            assertThat(crypto.named() && crypto.readOnly()).as("%s reads the crypto volume only", node).isTrue();
        }
        assertThat(ledgers).as("one ledger volume per node").hasSize(FABRIC_NODES.size());
        assertThat(mountAt("fabric-init", "/var/hyperledger/crypto").readOnly()).isFalse();
        for (String chaincode : CHAINCODES) {
            String idFile = environment(chaincode).get("CADUCEUS_CHAINCODE_ID_FILE");
            Mount artifacts = mounts(chaincode).stream().filter(m -> idFile.startsWith(m.target() + "/"))
                    .findFirst().orElseThrow(() -> new AssertionError(chaincode + " does not mount " + idFile));
            assertThat(artifacts.source()).isEqualTo(mountAt("fabric-init", "/var/hyperledger/artifacts").source());
        }
    }

    @Test
    void publishedPortsBindLoopbackOnly() {
        Map<String, List<String>> published = new LinkedHashMap<>();
        services.forEach((name, service) -> {
            for (Object port : list(service.get("ports"))) {
                String hostIp;
                String hostPort;
                if (port instanceof Map<?, ?> longSyntax) {
                    hostIp = interpolate(string(longSyntax.get("host_ip")));
                    hostPort = interpolate(string(longSyntax.get("published")));
                } else {
                    String[] parts = interpolate(string(port)).split(":");
                    hostIp = parts.length == 3 ? parts[0] : null;
                    hostPort = parts.length >= 2 ? parts[parts.length - 2] : null;
                }
                assertThat(hostIp).as("host address of %s port %s", name, port).isEqualTo("127.0.0.1");
                published.computeIfAbsent(name, k -> new ArrayList<>()).add(hostPort);
            }
        });
        assertThat(published.get("middleware")).as("HTTPS and MLLP over TLS").contains("8443", "2575")
                .as("plain HTTP stays in the container").doesNotContain("8080");
        for (String service : concat(FABRIC_NODES, CHAINCODES)) {
            assertThat(published).as("%s is reached inside the compose networks only", service)
                    .doesNotContainKey(service);
        }
    }

    @Test
    void theImageKeepsTlsOnAndPlainHttpOnItsLoopback() throws IOException {
        Path dockerfile = dockerDir.resolve("Dockerfile");
        Map<String, String> env = dockerfileEnv(dockerfile);
        assertThat(env).containsEntry("CADUCEUS_MLLP_TLS_ENABLED", "true").containsEntry("CADUCEUS_FHIR_TLS_ENABLED", "true")
                .containsEntry("CADUCEUS_FHIR_TLS_HOST", "0.0.0.0").doesNotContainKey("CAMEL_SERVER_HOST");
        String text = Files.readString(dockerfile).replaceAll("(?m)^\\s*#.*$", "");
        assertThat(text).as("nothing binds plain HTTP beyond loopback").doesNotContain("camel.server.host");
        assertThat(text).containsPattern("(?m)^EXPOSE 8443 2575$");
        // The image relies on the built-in default for plain HTTP: the container's loopback.
        Properties defaults = new Properties();
        try (var in = Files.newInputStream(repo.resolve("routes/src/main/resources/application.properties"))) {
            defaults.load(in);
        }
        assertThat(defaults.getProperty("camel.server.host")).isEqualTo("127.0.0.1");
        String healthcheck = String.join(" ", list(map(services.get("middleware").get("healthcheck"), "healthcheck")
                .get("test")).stream().map(DockerComposeTest::string).toList());
        assertThat(healthcheck).contains("127.0.0.1/" + defaults.getProperty("camel.server.port"));
        // compose may only confirm the image's TLS defaults, never turn them off.
        environment("middleware").forEach((key, value) -> {
            if (key.endsWith("_TLS_ENABLED")) {
                assertThat(value).as(key).isEqualTo("true");
            }
            assertThat(value == null ? "" : value).as(key).doesNotContain("tls.enabled=false", "camel.server.host");
        });
    }

    @Test
    void theDemoWritesTlsPropertiesForBothListenersAndExportsItsCa() throws IOException {
        String setup = Files.readString(dockerDir.resolve("fabric/setup.sh"));
        Matcher block = Pattern.compile("(?s)<<TLSPROPS\n(.*?)\nTLSPROPS\n").matcher(setup);
        assertThat(block.find()).as("setup.sh writes tls.properties").isTrue();
        Properties tls = new Properties();
        tls.load(new java.io.StringReader(block.group(1)));
        assertThat(tls).containsEntry("caduceus.mllp.tls.enabled", "true").containsEntry("caduceus.fhir.tls.enabled", "true")
                .containsEntry("camel.ssl.enabled", "true")
                .containsEntry("camel.component.netty.use-global-ssl-context-parameters", "true")
                .containsKeys("camel.ssl.key-store", "camel.ssl.keystore-password", "caduceus.fhir.tls.key-store",
                        "caduceus.fhir.tls.key-store-password-file");
        assertThat(setup).contains("$dir/tls.properties");
        String exportDir = environment("fabric-setup").get("CADUCEUS_TLS_EXPORT_DIR");
        Mount export = mountAt("fabric-setup", exportDir);
        assertThat(export.bind() && "./tls".equals(export.source()) && !export.readOnly())
                .as("fabric-setup writes the CA certificate into docker/tls").isTrue();
        assertThat(environment("fabric-init")).containsKey("CADUCEUS_TLS_SERVER_NAMES");
    }

    @Test
    void chaincodeServicesLogNoInvocationArguments() throws IOException {
        for (String chaincode : CHAINCODES) {
            assertThat(environment(chaincode).get("CORE_CHAINCODE_LOGGING_LEVEL")).as("%s's shim log level", chaincode)
                    .isIn("WARNING", "ERROR", "CRITICAL");
            Map<String, Object> build = map(services.get(chaincode).get("build"), chaincode + " build");
            assertThat(string(build.get("dockerfile"))).isEqualTo("docker/chaincode.Dockerfile");
        }
        assertThat(Files.readString(dockerDir.resolve("chaincode.Dockerfile")))
                .contains("CORE_CHAINCODE_LOGGING_LEVEL=WARNING", "caduceus-chaincode.jar");
    }

    @Test
    void longRunningServicesRestartOneShotsDoNot() {
        services.forEach((name, service) -> {
            Object restart = service.get("restart");
            if (ONE_SHOTS.contains(name)) {
                assertThat(restart == null || "no".equals(restart)).as("%s runs once per up", name).isTrue();
            } else {
                assertThat(restart).as("restart policy of %s", name).isEqualTo("unless-stopped");
            }
        });
    }

    @Test
    void theMiddlewareGetsLongerThanCamelsShutdownTimeoutToStop() {
        // Docker's default 10 s would SIGKILL the middleware while Camel still drains messages in flight (45 s).
        Object grace = services.get("middleware").get("stop_grace_period");
        assertThat(grace).as("stop_grace_period of the middleware").isNotNull();
        Matcher seconds = Pattern.compile("(\\d+)s").matcher(string(grace));
        assertThat(seconds.matches()).as("stop_grace_period %s in seconds", grace).isTrue();
        assertThat(Integer.parseInt(seconds.group(1))).isGreaterThan(45);
    }

    @Test
    void prometheusScrapesTheMiddlewareWithItsOwnCredentialAndLoadsTheRules() throws IOException {
        assertThat(services).containsKeys("prometheus", "grafana");
        assertThat(string(services.get("prometheus").get("image"))).startsWith("prom/prometheus:v3.");
        Map<String, Object> prometheus = yaml(dockerDir.resolve("prometheus/prometheus.yml"));
        String configInContainer = list(services.get("prometheus").get("command")).stream().map(DockerComposeTest::string)
                .filter(w -> w.startsWith("--config.file=")).map(w -> w.substring("--config.file=".length()))
                .findFirst().orElseThrow(() -> new AssertionError("prometheus runs without --config.file"));
        assertThat(hostFile("prometheus", configInContainer)).isEqualTo(dockerDir.resolve("prometheus/prometheus.yml"));
        for (Object ruleFile : list(prometheus.get("rule_files"))) {
            assertThat(hostFile("prometheus", string(ruleFile))).as("rule file %s", ruleFile)
                    .isEqualTo(dockerDir.resolve("prometheus/caduceus-rules.yml"));
        }
        assertThat(list(prometheus.get("rule_files"))).hasSize(1);
        Map<String, Object> job = map(list(prometheus.get("scrape_configs")).get(0), "scrape config");
        assertThat(job).containsEntry("metrics_path", "/observe/metrics").containsEntry("scheme", "https");
        Map<String, Object> oauth2 = map(job.get("oauth2"), "oauth2");
        assertThat(list(oauth2.get("scopes"))).as("role metrics, nothing more").containsExactly("caduceus.metrics");
        String secretFile = string(oauth2.get("client_secret_file"));
        assertThat(secretFile).startsWith("/run/secrets/");
        assertThat(list(services.get("prometheus").get("secrets"))).contains(secretFile.substring("/run/secrets/".length()));
        String target = string(list(map(list(job.get("static_configs")).get(0), "static config").get("targets")).get(0));
        assertThat(target).as("the middleware's HTTPS port, inside the compose network").isEqualTo("middleware:8443");
        String caFile = string(map(job.get("tls_config"), "tls_config").get("ca_file"));
        assertThat(hostFile("prometheus", caFile).getParent()).as("the CA fabric-setup exports")
                .isEqualTo(dockerDir.resolve("tls"));
    }

    @Test
    void grafanaShowsTheProvisionedDashboardFromTheProvisionedPrometheus() throws IOException {
        Map<String, Object> datasources = yaml(dockerDir.resolve("grafana/provisioning/datasources/prometheus.yml"));
        Map<String, Object> datasource = map(list(datasources.get("datasources")).get(0), "data source");
        assertThat(string(datasource.get("url"))).isEqualTo("http://prometheus:9090");
        assertThat(hostFile("grafana", "/etc/grafana/provisioning/datasources/prometheus.yml"))
                .isEqualTo(dockerDir.resolve("grafana/provisioning/datasources/prometheus.yml"));
        Map<String, Object> providers = yaml(dockerDir.resolve("grafana/provisioning/dashboards/caduceus.yml"));
        String dashboards = string(map(map(list(providers.get("providers")).get(0), "provider").get("options"),
                "options").get("path"));
        Path dashboard = hostFile("grafana", dashboards + "/caduceus.json");
        assertThat(dashboard).isEqualTo(dockerDir.resolve("grafana/dashboards/caduceus.json")).isRegularFile();
        // The dashboard is JSON (YAML 1.1 reads it) and every panel queries the provisioned data source.
        Map<String, Object> json = yaml(dashboard);
        List<Object> panels = list(json.get("panels"));
        assertThat(panels).isNotEmpty();
        for (Object panel : panels) {
            Map<String, Object> p = map(panel, "panel");
            assertThat(map(p.get("datasource"), "datasource")).as("data source of %s", p.get("title"))
                    .containsEntry("uid", datasource.get("uid"));
            assertThat(list(p.get("targets"))).as("queries of %s", p.get("title")).isNotEmpty();
        }
    }

    @Test
    void referencedFilesExist() throws IOException {
        for (Map.Entry<String, Map<String, Object>> entry : services.entrySet()) {
            String name = entry.getKey();
            Map<String, Object> service = entry.getValue();
            if (service.get("build") instanceof Map<?, ?> build) {
                Path context = dockerDir.resolve(string(build.get("context"))).normalize();
                Path dockerfile = context.resolve(string(build.get("dockerfile")));
                assertThat(dockerfile).as("Dockerfile of %s", name).isRegularFile();
                for (String source : copySources(dockerfile)) {
                    assertThat(context.resolve(source)).as("%s copies %s", dockerfile.getFileName(), source).exists();
                }
            }
            List<Mount> binds = mounts(name).stream().filter(Mount::bind).toList();
            for (Mount bind : binds) {
                assertThat(dockerDir.resolve(bind.source())).as("%s mounts %s", name, bind.source()).exists();
            }
            // Docker cannot create a mount point inside a read-only bind mount: the container would not start.
            for (Mount outer : binds) {
                for (Mount inner : binds) {
                    if (outer.readOnly() && inner.target().startsWith(outer.target() + "/")) {
                        String rest = inner.target().substring(outer.target().length() + 1);
                        assertThat(dockerDir.resolve(outer.source()).resolve(rest))
                                .as("%s mounts %s inside the read-only %s", name, inner.target(), outer.target())
                                .exists();
                    }
                }
            }
            List<String> words = new ArrayList<>();
            for (String key : List.of("command", "entrypoint")) {
                Object value = service.get(key);
                if (value instanceof List<?> l) {
                    l.forEach(w -> words.add(string(w)));
                } else if (value != null) {
                    words.addAll(List.of(string(value).split("\\s+")));
                }
            }
            for (String word : words) {
                for (Mount bind : binds) {
                    if (word.startsWith(bind.target() + "/")) {
                        Path file = dockerDir.resolve(bind.source()).resolve(word.substring(bind.target().length() + 1));
                        assertThat(file).as("%s runs %s", name, word).isRegularFile();
                    }
                }
            }
        }
        // setup.sh sources the devnet's crypto.sh (the one copy) by a path relative to its own directory: each one-shot
        // must see that file there, through its bind mounts.
        Matcher sourced = Pattern.compile("(?m)^\\. \"\\$SCRIPT_DIR/([^\"]+)\"")
                .matcher(Files.readString(dockerDir.resolve("fabric/setup.sh")));
        assertThat(sourced.find()).as("setup.sh sources crypto.sh").isTrue();
        Path crypto = dockerDir.resolve("fabric").resolve(sourced.group(1)).normalize();
        assertThat(crypto).as("setup.sh sources the devnet's crypto.sh")
                .isEqualTo(repo.resolve("devnet/fabric/crypto.sh")).isRegularFile();
        for (String oneShot : ONE_SHOTS) {
            String scriptDir = mounts(oneShot).stream().filter(m -> m.bind() && "./fabric".equals(m.source()))
                    .map(Mount::target).findFirst()
                    .orElseThrow(() -> new AssertionError(oneShot + " does not mount ./fabric"));
            String inContainer = URI.create("file:" + scriptDir + "/").resolve(sourced.group(1)).getPath();
            assertThat(hostFile(oneShot, inContainer)).as("what %s sees at %s", oneShot, inContainer)
                    .isEqualTo(crypto);
        }
        Map<String, Object> secrets = map(compose.get("secrets"), "secrets");
        secrets.forEach((secret, definition) -> assertThat(string(map(definition, secret).get("file")))
                .as("secret %s is a file the deployer creates in docker/secrets", secret).startsWith("./secrets/"));
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** A volume of a service: a named volume (source is its name), a bind mount (source is a path) or anonymous. */
    record Mount(String type, String source, String target, boolean readOnly) {

        boolean named() {
            return "volume".equals(type) && source != null;
        }

        boolean bind() {
            return "bind".equals(type);
        }
    }

    private static List<Mount> mounts(String service) {
        List<Mount> mounts = new ArrayList<>();
        for (Object volume : list(services.get(service).get("volumes"))) {
            if (volume instanceof Map<?, ?> longSyntax) {
                mounts.add(new Mount(string(longSyntax.get("type")), string(longSyntax.get("source")),
                        string(longSyntax.get("target")), Boolean.TRUE.equals(longSyntax.get("read_only"))));
                continue;
            }
            String[] parts = interpolate(string(volume)).split(":");
            if (parts.length == 1) {
                mounts.add(new Mount("volume", null, parts[0], false));
                continue;
            }
            String source = parts[0];
            boolean path = source.startsWith(".") || source.startsWith("/") || source.startsWith("~");
            boolean readOnly = parts.length > 2 && List.of(parts[2].split(",")).contains("ro");
            mounts.add(new Mount(path ? "bind" : "volume", source, parts[1], readOnly));
        }
        return mounts;
    }

    /** The repository file a service's bind mounts show at {@code path} in its container, or null. */
    private static Path hostFile(String service, String path) {
        return mounts(service).stream().filter(Mount::bind)
                .filter(m -> path.equals(m.target()) || path.startsWith(m.target() + "/"))
                .max(Comparator.comparingInt(m -> m.target().length()))
                .map(m -> {
                    Path source = dockerDir.resolve(m.source());
                    return (path.equals(m.target()) ? source : source.resolve(path.substring(m.target().length() + 1)))
                            .normalize();
                })
                .orElse(null);
    }

    private static Mount mountAt(String service, String target) {
        return mounts(service).stream().filter(m -> target.equals(m.target())).findFirst()
                .orElseThrow(() -> new AssertionError(service + " mounts nothing at " + target));
    }

    private static Map<String, String> environment(String service) {
        Map<String, String> env = new LinkedHashMap<>();
        Object value = services.get(service).get("environment");
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> env.put(string(k), v == null ? null : interpolate(string(v))));
        } else {
            for (Object item : list(value)) {
                String s = string(item);
                int eq = s.indexOf('=');
                env.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? null : interpolate(s.substring(eq + 1)));
            }
        }
        return env;
    }

    private static Set<String> networks(String service) {
        Object value = services.get(service).get("networks");
        if (value == null) {
            return Set.of("default");
        }
        Set<String> names = new TreeSet<>();
        if (value instanceof Map<?, ?> m) {
            m.keySet().forEach(k -> names.add(string(k)));
        } else {
            list(value).forEach(n -> names.add(string(n)));
        }
        return names;
    }

    private static String condition(String service, String dependency) {
        Object dependsOn = services.get(service).get("depends_on");
        if (dependsOn instanceof List<?> l) {
            return l.contains(dependency) ? "service_started" : null;
        }
        Object entry = dependsOn == null ? null : map(dependsOn, service + " depends_on").get(dependency);
        if (entry == null) {
            fail("%s does not depend on %s", service, dependency);
        }
        return string(map(entry, dependency).getOrDefault("condition", "service_started"));
    }

    /** The Dockerfile's ENV settings ({@code ENV KEY=value ...}, continuation lines joined). */
    private static Map<String, String> dockerfileEnv(Path dockerfile) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readString(dockerfile).replace("\\\n", " ").split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length < 2 || !words[0].equals("ENV")) {
                continue;
            }
            for (String word : List.of(words).subList(1, words.length)) {
                int eq = word.indexOf('=');
                assertThat(eq).as("ENV %s uses KEY=value", word).isPositive();
                env.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return env;
    }

    /** Sources of the Dockerfile's COPY and ADD instructions that read the build context. */
    private static List<String> copySources(Path dockerfile) throws IOException {
        List<String> sources = new ArrayList<>();
        for (String line : Files.readAllLines(dockerfile)) {
            String[] words = line.trim().split("\\s+");
            if (words.length < 3 || !(words[0].equalsIgnoreCase("COPY") || words[0].equalsIgnoreCase("ADD"))) {
                continue;
            }
            List<String> args = new ArrayList<>(List.of(words).subList(1, words.length));
            if (args.stream().anyMatch(a -> a.startsWith("--from"))) {
                continue;
            }
            args.removeIf(a -> a.startsWith("--"));
            sources.addAll(args.subList(0, args.size() - 1));
        }
        return sources;
    }

    /** Replaces each {@code ${VAR:-default}} with its default, as compose does with VAR unset. */
    private static String interpolate(String value) {
        if (value == null) {
            return null;
        }
        Matcher m = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(2) == null ? "" : m.group(2)));
        }
        return m.appendTail(out).toString();
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        return yaml(Files.readString(file));
    }

    private static Map<String, Object> yaml(String text) {
        Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        return map(document, "document");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String what) {
        if (!(value instanceof Map<?, ?>)) {
            fail("%s is not a mapping: %s", what, value);
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?>)) {
            fail("not a list: %s", value);
        }
        return (List<Object>) value;
    }

    private static String string(Object value) {
        return value == null ? null : value.toString();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker/compose.yaml")) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no docker/compose.yaml above " + Path.of("").toAbsolutePath());
    }
}
