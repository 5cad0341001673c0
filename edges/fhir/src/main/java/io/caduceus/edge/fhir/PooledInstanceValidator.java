package io.caduceus.edge.fhir;

import ca.uhn.fhir.context.ConfigurationException;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.util.XmlUtil;
import ca.uhn.fhir.validation.IValidationContext;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.ByteArrayInputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.exceptions.FHIRException;
import org.hl7.fhir.r5.context.IWorkerContext;
import org.hl7.fhir.r5.elementmodel.Manager;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.hl7.fhir.r5.utils.validation.ValidatorSession;
import org.hl7.fhir.r5.utils.validation.constants.IdStatus;
import org.hl7.fhir.r5.utils.xver.XVerExtensionManagerOld;
import org.hl7.fhir.utilities.i18n.I18nConstants;
import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.hl7.fhir.validation.ValidatorSettings;
import org.hl7.fhir.validation.instance.InstanceValidator;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * HAPI's {@link FhirInstanceValidator} with one change: its {@link InstanceValidator}s are kept in a pool as large as
 * the machine has cores, and used again, instead of HAPI's (8.6) building a new one for every resource validated.
 * Building one costs a FHIRPath engine, profile utilities, an extension manager and their caches: 4 to 5% of a
 * validation (docs/performance.md, "FHIR inbound at speed").
 *
 * <p>Why a pool and not one per thread: a validator kept per request thread was measured slower under load (as many
 * validators as threads, ~40 MB more live heap in the 512 MB middleware, young collections twice as often). Here at
 * most {@link #POOL_SIZE} validations run at once, each with a validator of the pool: validation is CPU-bound, so on
 * this many cores more at once only adds element models in flight, not throughput; the others wait for a validator.
 *
 * <p>Every other step is HAPI's {@code ValidatorWrapper.validate}, in the same order and with the same settings, read
 * from this module's own getters: the profiles asked for and those the content claims, the stream parse with its
 * errors, the messages HAPI drops afterwards. {@code PooledInstanceValidatorTest} checks that the verdicts and
 * messages are those of HAPI's own module over the test corpus and invalid mutants of it.
 *
 * <p>{@link InstanceValidator#validate(Object, List, String, org.hl7.fhir.r5.elementmodel.Element, List)}, where every
 * validation ends up, clears the per-validation state first (its own comment says so), all but one list: its
 * {@code CodingsObserver} keeps every coding it was shown, with the element it came from, and never lets go (read only
 * when IPS SNOMED checks are on, which they are not here). Kept, it held on to every bundle validated, about 0.5 MB
 * each: the 512 MB middleware ran out of heap under load. It is emptied after each validation, by reflection since
 * HAPI offers no way to; should HAPI rename it, {@link #CODINGS_SEEN} is null and every validator is used once, as
 * HAPI itself does. What else it keeps across validations (a cache of profile look-ups, say) is bounded by building a
 * new one after {@link #USES_PER_VALIDATOR} uses.
 */
final class PooledInstanceValidator extends FhirInstanceValidator {

    static final int USES_PER_VALIDATOR = 1_000;

    /** Validators, and validations at once: one per core. */
    static final int POOL_SIZE = Math.max(1, Runtime.getRuntime().availableProcessors());

    /** {@code InstanceValidator.codingObserver} then {@code CodingsObserver.list}; null when HAPI has changed them. */
    static final Field[] CODINGS_SEEN = codingsSeen();

    /** A permit per validation running; a validation holds at most one validator, so there are never more. */
    private final Semaphore running = new Semaphore(POOL_SIZE);
    private final Queue<Reused> idle = new ConcurrentLinkedQueue<>();

    private static final class Reused {
        final InstanceValidator validator;
        int uses;

        Reused(InstanceValidator validator) {
            this.validator = validator;
        }
    }

    PooledInstanceValidator(IValidationSupport validationSupport) {
        super(validationSupport);
    }

    @Override
    protected List<ValidationMessage> validate(IValidationContext<?> context) {
        WorkerContextValidationSupportAdapter worker = provideWorkerContext();
        // Uninterruptibly: an interrupt here must not turn into a refusal of the content (a validation is short).
        running.acquireUninterruptibly();
        try {
            Reused reused = borrow(worker);
            List<ValidationMessage> messages = validate(context, worker, reused.validator);
            if (reused.uses < (CODINGS_SEEN == null ? 1 : USES_PER_VALIDATOR)) {
                idle.add(reused);
            }
            return messages;
        } finally {
            running.release();
        }
    }

    private List<ValidationMessage> validate(IValidationContext<?> context, WorkerContextValidationSupportAdapter worker,
            InstanceValidator v) {
        List<ValidationMessage> messages = new ArrayList<>();
        List<StructureDefinition> profiles = new ArrayList<>();
        List<ValidationMessage> invalidProfiles = new ArrayList<>();
        for (String url : context.getOptions().getProfiles()) {
            fetchAndAddProfile(worker, profiles, url, invalidProfiles);
        }
        String input = context.getResourceAsString();
        EncodingEnum encoding = context.getResourceAsStringEncoding();
        // HAPI reads the text through a UTF-8 ReaderInputStream; the bytes are the same.
        ByteArrayInputStream stream = new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8));
        if (encoding == EncodingEnum.XML) {
            Document document;
            try {
                document = XmlUtil.parseDocument(input);
            } catch (Exception e) {
                ValidationMessage m = new ValidationMessage();
                m.setLevel(ValidationMessage.IssueSeverity.FATAL);
                m.setMessage("Failed to parse input, it does not appear to be valid XML:" + e.getMessage());
                messages.add(m);
                return messages;
            }
            for (String url : claimedProfiles(document)) {
                fetchAndAddProfile(worker, profiles, url, invalidProfiles);
            }
            validate(v, messages, stream, Manager.FhirFormat.XML, profiles);
        } else if (encoding == EncodingEnum.JSON) {
            JsonObject json = new Gson().fromJson(input, JsonObject.class);
            JsonObject meta = json.getAsJsonObject("meta");
            if (meta != null) {
                JsonElement claimed = meta.get("profile");
                if (claimed != null && claimed.isJsonArray()) {
                    JsonArray array = claimed.getAsJsonArray();
                    for (JsonElement url : array) {
                        fetchAndAddProfile(worker, profiles, url.getAsString(), invalidProfiles);
                    }
                }
            }
            validate(v, messages, stream, Manager.FhirFormat.JSON, profiles);
        } else {
            throw new IllegalArgumentException("Unknown encoding: " + encoding);
        }
        if (profiles.isEmpty() && !invalidProfiles.isEmpty()) {
            messages.addAll(invalidProfiles);
        }
        List<ValidationMessage> kept = new ArrayList<>(messages.size());
        for (ValidationMessage m : messages) {
            if (!droppedByHapi(m)) {
                kept.add(m);
            }
        }
        if (isErrorForUnknownProfiles()) {
            for (ValidationMessage m : kept) {
                if (m.getMessageId() != null && (m.getMessageId().equals(I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN)
                        || m.getMessageId().equals(I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN_NOT_POLICY))
                        && m.getLevel() == ValidationMessage.IssueSeverity.WARNING) {
                    m.setLevel(ValidationMessage.IssueSeverity.ERROR);
                }
            }
        }
        return kept;
    }

    private static void validate(InstanceValidator v, List<ValidationMessage> messages, ByteArrayInputStream stream,
            Manager.FhirFormat format, List<StructureDefinition> profiles) {
        try {
            v.validate(null, messages, stream, format, profiles);
        } finally {
            forgetCodingsSeen(v);
        }
    }

    /** Empties the validator's list of codings seen; the list of a validator used once is dropped with it. */
    static void forgetCodingsSeen(InstanceValidator v) {
        if (CODINGS_SEEN == null) {
            return;
        }
        try {
            Object observer = CODINGS_SEEN[0].get(v);
            if (observer != null) {
                ((List<?>) CODINGS_SEEN[1].get(observer)).clear();
            }
        } catch (IllegalAccessException | ClassCastException e) {
            throw new IllegalStateException("cannot empty HAPI's list of codings seen", e);
        }
    }

    /** Size of the list, for tests: -1 when it cannot be read. */
    static int codingsSeen(InstanceValidator v) throws IllegalAccessException {
        Object observer = CODINGS_SEEN[0].get(v);
        return observer == null ? -1 : ((List<?>) CODINGS_SEEN[1].get(observer)).size();
    }

    private static Field[] codingsSeen() {
        try {
            Field observer = InstanceValidator.class.getDeclaredField("codingObserver");
            Field list = observer.getType().getDeclaredField("list");
            if (!List.class.isAssignableFrom(list.getType())) {
                return null;
            }
            observer.setAccessible(true);
            list.setAccessible(true);
            return new Field[] {observer, list};
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** The validators waiting for a validation, for tests. */
    List<InstanceValidator> idleValidators() {
        return idle.stream().map(r -> r.validator).toList();
    }

    private static boolean droppedByHapi(ValidationMessage m) {
        String id = m.getMessageId();
        return id != null && (id.equals(I18nConstants.TERMINOLOGY_TX_BINDING_NOSOURCE)
                || id.equals(I18nConstants.TERMINOLOGY_TX_BINDING_NOSOURCE2)
                || (id.equals(I18nConstants.TERMINOLOGY_TX_VALUESET_NOTFOUND)
                        && m.getMessage().contains("http://hl7.org/fhir/ValueSet/mimetypes")));
    }

    /** An idle validator of the pool, or a new one; a validator that threw is not returned to the pool. */
    private Reused borrow(IWorkerContext worker) {
        Reused reused = idle.poll();
        if (reused == null) {
            reused = new Reused(newInstanceValidator(worker));
        }
        reused.uses++;
        return reused;
    }

    /** As HAPI's ValidatorWrapper configures each of its validators. */
    private InstanceValidator newInstanceValidator(IWorkerContext worker) {
        InstanceValidator v;
        try {
            v = new InstanceValidator(worker, new NullEvaluationContext(), new XVerExtensionManagerOld(worker),
                    new ValidatorSession(), new ValidatorSettings());
        } catch (Exception e) {
            throw new ConfigurationException("cannot build HAPI's instance validator", e);
        }
        v.setAssumeValidRestReferences(isAssumeValidRestReferences());
        v.setBestPracticeWarningLevel(getBestPracticeWarningLevel());
        v.setAnyExtensionsAllowed(isAnyExtensionsAllowed());
        v.setResourceIdRule(IdStatus.OPTIONAL);
        v.setNoTerminologyChecks(isNoTerminologyChecks());
        v.setErrorForUnknownProfiles(isErrorForUnknownProfiles());
        v.setUnknownCodeSystemsCauseErrors(true);
        v.getExtensionDomains().addAll(getExtensionDomains());
        v.setFetcher(getValidatorResourceFetcher());
        v.setPolicyAdvisor(getValidatorPolicyAdvisor());
        v.setNoExtensibleWarnings(isNoExtensibleWarnings());
        v.setNoBindingMsgSuppressed(isNoBindingMsgSuppressed());
        v.setAllowExamples(isAllowExamples());
        v.setAllowXsiLocation(true);
        return v;
    }

    private static void fetchAndAddProfile(IWorkerContext worker, List<StructureDefinition> profiles, String url,
            List<ValidationMessage> invalid) {
        try {
            StructureDefinition sd = worker.fetchResource(StructureDefinition.class, url);
            if (sd != null) {
                profiles.add(sd);
            } else {
                ValidationMessage m = new ValidationMessage();
                m.setMessageId(I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN);
                m.setLevel(ValidationMessage.IssueSeverity.ERROR);
                m.setMessage("Invalid profile. Failed to retrieve profile with url=" + url);
                invalid.add(m);
            }
        } catch (FHIRException e) {
            // as HAPI: a profile that cannot be loaded is left out
        }
    }

    private static List<String> claimedProfiles(Document document) {
        List<String> urls = new ArrayList<>();
        NodeList list = document.getChildNodes().item(0).getChildNodes();
        for (int i = 0; i < list.getLength(); i++) {
            if (list.item(i).getNodeName().compareToIgnoreCase("meta") == 0) {
                NodeList meta = list.item(i).getChildNodes();
                for (int j = 0; j < meta.getLength(); j++) {
                    if (meta.item(j).getNodeName().compareToIgnoreCase("profile") == 0) {
                        urls.add(meta.item(j).getAttributes().item(0).getNodeValue());
                    }
                }
                break;
            }
        }
        return urls;
    }
}
