package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.hl7.v2.Hl7Message;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.MessageHeader;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.junit.jupiter.api.Test;

/**
 * The SCH/AIx, TXA, OBR/ORC, OBX-19, SFT and MSH-22 rules that follow the IG's segment maps SCH[Appointment],
 * AIG[Appointment], TXA[DocumentReference], OBR[ServiceRequest], TQ[ServiceRequest], OBX[Observation],
 * SFT[MessageHeader] and MSH[MessageHeader], and the component-level sameFacts.
 */
class SchedulingAndDocumentMappingTest {
    private static final String PID = "PID|1||MRN-1^^^FAC^MR||Doe^Jane||19700101|F";

    private static Bundle map(String... segments) throws Exception {
        return Fixtures.mapValid(segments).bundle();
    }

    private static MappingCoverage.Status statusAt(String location, String... segments) throws Exception {
        MappingCoverage report = Fixtures.mapper().coverage(
                Hl7Message.parse(String.join("\r", segments).getBytes(StandardCharsets.UTF_8)), MappingMode.LENIENT);
        return report.values().stream().filter(v -> v.location().equals(location)).findFirst()
                .orElseThrow(() -> new AssertionError("no populated value at " + location)).status();
    }

    private static <T extends Resource> T one(Bundle bundle, Class<T> type) {
        List<T> all = bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(type::isInstance)
                .map(type::cast).toList();
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    private static final String SIU_MSH = "MSH|^~\\&|SCHED|FAC|HUB|FAC|20250415094210-0400||SIU^S12^SIU_S12|S-1|P|2.5.1";
    private static final String SCH = "SCH|APPT-1^SCHED|F-1^SCHED||||FOLLOWUP^Follow-up^L|CHECKUP^Checkup^HL70276"
            + "|Normal^Routine schedule^HL70277|30|min|^^30^20250502103000-0400^20250502110000-0400"
            + "|5510^Nguyen^Thao||||6620^Ortiz^Ana||||7730^Park^Min||||||Booked";

    @Test
    void schedulingContactsAndEntererAreParticipants() throws Exception {
        Appointment a = one(map(SIU_MSH, SCH, PID), Appointment.class);
        List<Appointment.AppointmentParticipantComponent> people = a.getParticipant().stream()
                .filter(p -> p.getActor().hasIdentifier()).toList();
        assertThat(people).extracting(p -> p.getActor().getIdentifier().getValue())
                .containsExactly("5510", "6620", "7730");
        assertThat(people.get(0).getTypeFirstRep().getText()).isEqualTo("placer contact person");
        assertThat(people.get(1).getTypeFirstRep().getText()).isEqualTo("filler contact person");
        assertThat(people.get(2).getTypeFirstRep().getCodingFirstRep().getCode()).isEqualTo("enterer");
    }

    @Test
    void appointmentReasonOfTable0276GetsItsSystemAndTheSnomedTranslation() throws Exception {
        Appointment a = one(map(SIU_MSH, SCH, PID), Appointment.class);
        List<Coding> reason = a.getReasonCode().get(0).getCoding();
        assertThat(reason).extracting(Coding::getSystem, Coding::getCode).containsExactly(
                org.assertj.core.groups.Tuple.tuple("http://terminology.hl7.org/CodeSystem/v2-0276", "CHECKUP"),
                org.assertj.core.groups.Tuple.tuple("http://snomed.info/sct", "866149003"));
        // SCH-6, a local code, keeps its code without a system.
        assertThat(a.getReasonCode().get(1).getCodingFirstRep().getSystem()).isNull();
        assertThat(a.getAppointmentType().getCodingFirstRep().getSystem())
                .isEqualTo("http://terminology.hl7.org/CodeSystem/v2-0277");
        assertThat(statusAt("SCH-7.3", SIU_MSH, SCH, PID)).isEqualTo(MappingCoverage.Status.MAPPED);
        assertThat(statusAt("SCH-6.3", SIU_MSH, SCH, PID)).isEqualTo(MappingCoverage.Status.UNMAPPED);
    }

    @Test
    void durationIsInMinutesOnlyWhenSch10SaysMinutes() throws Exception {
        assertThat(one(map(SIU_MSH, SCH, PID), Appointment.class).getMinutesDuration()).isEqualTo(30);
        String hours = SCH.replace("|30|min|", "|2|h|");
        assertThat(one(map(SIU_MSH, hours, PID), Appointment.class).hasMinutesDuration()).isFalse();
    }

    @Test
    void durationUnitsAreCarriedOnlyWhenTheyAreMinutes() throws Exception {
        assertThat(statusAt("SCH-10", SIU_MSH, SCH, PID)).isEqualTo(MappingCoverage.Status.MAPPED);
        assertThat(statusAt("SCH-10", SIU_MSH, SCH.replace("|30|min|", "|2|h|"), PID))
                .isEqualTo(MappingCoverage.Status.UNMAPPED);
        // Without SCH-9 the first service's duration in minutes is the appointment's.
        String noDuration = SCH.replace("|30|min|^^30^", "|||^^^");
        Appointment a = one(map(SIU_MSH, noDuration, PID, "RGS|1|A", "AIS|1|A|99214^Visit^CPT4||||45|min"), Appointment.class);
        assertThat(a.getMinutesDuration()).isEqualTo(45);
        assertThat(statusAt("AIS-8", SIU_MSH, noDuration, PID, "RGS|1|A", "AIS|1|A|99214^Visit^CPT4||||45|min"))
                .isEqualTo(MappingCoverage.Status.MAPPED);
    }

    @Test
    void carriesNeedsAConditionHoldingTheValue(@org.junit.jupiter.api.io.TempDir java.nio.file.Path folder) throws Exception {
        java.nio.file.Files.createDirectories(folder.resolve("resources"));
        java.nio.file.Files.writeString(folder.resolve("resources/Appointment.yml"),
                "resourceType: Appointment\nelements:\n  - {path: minutesDuration, from: SCH.9, carries: SCH.10.1}\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Fixtures.builder().externalMappings(folder).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("resources/Appointment.yml")
                .hasMessageContaining("carries: SCH.10.1");
    }

    @Test
    void serviceStartAndDurationEqualToTheAppointmentsAreRepeated() throws Exception {
        String ais = "AIS|1|A|99214^Visit^CPT4|20250502103000-0400|||30|min";
        assertThat(statusAt("AIS-4", SIU_MSH, SCH, PID, "RGS|1|A", ais)).isEqualTo(MappingCoverage.Status.REPEATED);
        assertThat(statusAt("AIS-7", SIU_MSH, SCH, PID, "RGS|1|A", ais)).isEqualTo(MappingCoverage.Status.REPEATED);
        assertThat(statusAt("AIS-8", SIU_MSH, SCH, PID, "RGS|1|A", ais)).isEqualTo(MappingCoverage.Status.REPEATED);
        String later = ais.replace("20250502103000", "20250502113000");
        assertThat(statusAt("AIS-4", SIU_MSH, SCH, PID, "RGS|1|A", later)).isEqualTo(MappingCoverage.Status.UNMAPPED);
    }

    @Test
    void generalResourceTypeIsTheParticipantsType() throws Exception {
        Appointment a = one(map(SIU_MSH, SCH, PID, "RGS|1|A", "AIG|1|A|ROOM-E2^Exam Room E2|ROOM^Room^L"), Appointment.class);
        Appointment.AppointmentParticipantComponent room = a.getParticipant().stream()
                .filter(p -> "ROOM-E2".equals(p.getActor().getIdentifier().getValue())).findFirst().orElseThrow();
        assertThat(room.getTypeFirstRep().getCodingFirstRep().getCode()).isEqualTo("ROOM");
    }

    private static final String MDM_MSH = "MSH|^~\\&|DOCS|FAC|EHR|FAC|20250322153001-0700||MDM^T02^MDM_T02|M-1|P|2.5.1";

    @Test
    void documentTypeOrdersFileNameAuthenticatorAndConfidentiality() throws Exception {
        String txa = "TXA|1|RAD^Radiology report^L|TX|20250322150500-0700||20250322140000-0700|||"
                + "|1122^Osei^Kwame||DOC-1^DOCS||ORD-9^EPIC||report.rtf|AU|R|AV";
        DocumentReference d = one(map(MDM_MSH, "EVN|T02|20250322153001-0700", PID, txa,
                "OBX|1|TX|18748-4^Imaging^LN|1|Line one||||||F"), DocumentReference.class);
        assertThat(d.getType().getCodingFirstRep().getCode()).isEqualTo("RAD");
        assertThat(d.getType().getCodingFirstRep().getSystem()).isNull();
        assertThat(d.getType().getText()).isEqualTo("Radiology report");
        assertThat(d.getIdentifierFirstRep().getValue()).isEqualTo("report.rtf");
        assertThat(d.getAuthenticator().getIdentifier().getValue()).isEqualTo("1122");
        assertThat(d.getContext().getRelatedFirstRep().getIdentifier().getValue()).isEqualTo("ORD-9");
        assertThat(d.getSecurityLabelFirstRep().getCodingFirstRep().getCode()).isEqualTo("R");
        assertThat(d.getStatus()).isEqualTo(org.hl7.fhir.r4.model.Enumerations.DocumentReferenceStatus.CURRENT);

        DocumentReference ds = one(map(MDM_MSH, PID, "TXA|1|DS^Discharge summary^HL70270|TX|||||||||DOC-2^DOCS",
                "OBX|1|TX|18842-5^Discharge^LN|1|Text||||||F"), DocumentReference.class);
        assertThat(ds.getType().getCoding()).extracting(Coding::getSystem)
                .containsExactly("http://loinc.org", "http://terminology.hl7.org/CodeSystem/v2-0270");
    }

    @Test
    void ordersPriorityReflexIntentAndQuantity() throws Exception {
        String msh = "MSH|^~\\&|CPOE|FAC|RIS|FAC|20240930112200||ORM^O01|O-1|P|2.3";
        ServiceRequest sr = one(map(msh, PID, "ORC|NW|ORD-1^CPOE", "OBR|1|ORD-1^CPOE||71046^XR Chest^CPT4|S||||||G"),
                ServiceRequest.class);
        assertThat(sr.getPriority()).isEqualTo(ServiceRequest.ServiceRequestPriority.STAT);
        assertThat(sr.getIntent()).isEqualTo(ServiceRequest.ServiceRequestIntent.REFLEXORDER);

        String withTq = "OBR|1|ORD-1^CPOE||71046^XR Chest^CPT4|R||||||A||||||||||||||||2^^^202409301200^^R";
        ServiceRequest tq = one(map(msh, PID, "ORC|NW|ORD-1^CPOE|||||2^^^202409301200^^R", withTq), ServiceRequest.class);
        assertThat(tq.getIntent()).isEqualTo(ServiceRequest.ServiceRequestIntent.ORDER);
        assertThat(tq.getQuantityQuantity().getValue()).isEqualByComparingTo("2");
        assertThat(statusAt("OBR-5", msh, PID, "ORC|NW|ORD-1^CPOE|||||2^^^202409301200^^R", withTq))
                .isEqualTo(MappingCoverage.Status.REPEATED);
        assertThat(statusAt("ORC-7.6", msh, PID, "ORC|NW|ORD-1^CPOE|||||2^^^202409301200^^R", withTq))
                .isEqualTo(MappingCoverage.Status.REPEATED);
    }

    @Test
    void analysisTimeSoftwareAndResponsibleOrganisation() throws Exception {
        Bundle b = map("MSH|^~\\&|LAB|QRL|EHR|CLINIC|20240522083015-0400||ORU^R01^ORU_R01|R-1|P|2.5.1|||NE|NE|||||"
                        + "|Quest Labs^^^^^^^^^QRL-1",
                "SFT|Quest^^^^^^^^^QRL|4.2.1|LabSys|LS4211", PID, "OBR|1|ORD-1^EHR|F-1^QRL|718-7^Hemoglobin^LN",
                "OBX|1|NM|718-7^Hemoglobin^LN||13.1|g/dL^^UCUM|||||F|||202405210745-0400|||||202405220801-0400");
        MessageHeader h = one(b, MessageHeader.class);
        assertThat(h.getSource().getSoftware()).isEqualTo("LabSys");
        assertThat(h.getSource().getVersion()).isEqualTo("4.2.1");
        assertThat(h.getResponsible().getDisplay()).isEqualTo("Quest Labs");
        assertThat(h.getResponsible().getIdentifier().getValue()).isEqualTo("QRL-1");
        org.hl7.fhir.r4.model.Device software = one(b, org.hl7.fhir.r4.model.Device.class);
        assertThat(software.getManufacturer()).isEqualTo("Quest");
        assertThat(software.getDeviceNameFirstRep().getName()).isEqualTo("LabSys");
        assertThat(software.getVersionFirstRep().getValue()).isEqualTo("4.2.1");
        assertThat(software.getModelNumber()).isEqualTo("LS4211");
        Observation o = one(b, Observation.class);
        assertThat(((DateTimeType) o.getExtensionByUrl(
                "http://hl7.org/fhir/StructureDefinition/observation-analysis-date-time").getValue()).getValueAsString())
                .isEqualTo("2024-05-22T08:01:00-04:00");
    }

    @Test
    void orderEntryProvenanceTakesItsActivityAndAgentsFromTheOrc() throws Exception {
        String msh = "MSH|^~\\&|CPOE|FAC|RIS|FAC|20240930112200||ORM^O01|O-2|P|2.3";
        String orc = "ORC|SC|ORD-1^CPOE|||CM||||202409301121|7720^Keane^Siobhan|||||||MW^Mercy West^L|WS-12^Ward PC 12^L"
                + "|8810^Doyle^Aoife";
        Provenance p = orderEntry(map(msh, PID, orc, "OBR|1|ORD-1^CPOE||71046^XR Chest^CPT4"));
        assertThat(p.getActivity().getCodingFirstRep().getCode()).isEqualTo("UPDATE");
        assertThat(p.getAgent()).extracting(a -> a.getWho().getDisplay())
                .containsExactly("Siobhan Keane", "Ward PC 12", "Aoife Doyle");
        assertThat(p.getAgentFirstRep().getOnBehalfOf().getDisplay()).isEqualTo("Mercy West");
        assertThat(p.getAgent().get(2).getType().getCodingFirstRep().getCode()).isEqualTo("performer");

        Provenance created = orderEntry(map(msh, PID, orc.replace("ORC|SC|", "ORC|NW|"), "OBR|1|ORD-1^CPOE||71046^XR Chest^CPT4"));
        assertThat(created.getActivity().getCodingFirstRep().getCode()).isEqualTo("CREATE");
    }

    /** The order's entry Provenance, not the Bundle's own (which has no activity). */
    private static Provenance orderEntry(Bundle bundle) {
        return bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(Provenance.class::isInstance)
                .map(Provenance.class::cast).filter(Provenance::hasActivity).findFirst().orElseThrow();
    }

    @Test
    void reportPeriodInterpreterTechnicianAndTranscriptionist() throws Exception {
        String obr = "OBR|1|ORD-1^EHR|F-1^RAD|71046^XR Chest^CPT4|||202405210745-0400|202405210805-0400||||||||||||||"
                + "202405211000-0400||RAD|F|||||||1557733991&Ng&Alice&&&Dr.&MD||T-44&Kim&Jo|TR-9&Lund&Eva";
        DiagnosticReport r = one(map("MSH|^~\\&|RIS|FAC|EHR|FAC|20240522083015-0400||ORU^R01^ORU_R01|R-2|P|2.5.1", PID,
                obr, "OBX|1|TX|18782-3^Study observation^LN||No acute findings.||||||F"), DiagnosticReport.class);
        assertThat(r.getEffectivePeriod().getStartElement().getValueAsString()).isEqualTo("2024-05-21T07:45:00-04:00");
        assertThat(r.getEffectivePeriod().getEndElement().getValueAsString()).isEqualTo("2024-05-21T08:05:00-04:00");
        assertThat(r.getResultsInterpreterFirstRep().getDisplay()).isEqualTo("Dr. Alice Ng MD");
        assertThat(r.getResultsInterpreterFirstRep().getIdentifier().getValue()).isEqualTo("1557733991");
        assertThat(r.getPerformer()).extracting(p -> p.getIdentifier().getValue(),
                p -> ((org.hl7.fhir.r4.model.CodeableConcept) p.getExtensionByUrl(
                        "http://hl7.org/fhir/StructureDefinition/event-performerFunction").getValue()).getCodingFirstRep().getCode())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("T-44", "SPRF"),
                        org.assertj.core.groups.Tuple.tuple("TR-9", "TRANS"));
    }

    @Test
    void theSeparatorOfAStructuredNumericIsCarriedByTheRangeOrRatioItMakes() throws Exception {
        String msh = "MSH|^~\\&|LAB|FAC|EHR|FAC|20241103041530||ORU^R01|L-1|P|2.3";
        String obr = "OBR|1|ORD-1|F-1|UA^Urinalysis^L";
        assertThat(statusAt("OBX-5.3", msh, PID, obr, "OBX|1|SN|13945-1^RBC^LN||^3^-^5|/[HPF]|0-2|H|||F"))
                .isEqualTo(MappingCoverage.Status.MAPPED);
        assertThat(statusAt("OBX-5.3", msh, PID, obr, "OBX|1|SN|5130-0^ANA titer^LN||^1^:^80|{titer}||A|||F"))
                .isEqualTo(MappingCoverage.Status.MAPPED);
        // A separator that makes neither (SN-3 '+', which the IG leaves as a string) is not carried.
        assertThat(statusAt("OBX-5.3", msh, PID, obr, "OBX|1|SN|5130-0^ANA titer^LN||^1^+^80|{titer}||A|||F"))
                .isEqualTo(MappingCoverage.Status.UNMAPPED);
    }

    @Test
    void aValueSetMayNameTwoTablesWhoseCodesItTranslates() throws Exception {
        String msh = "MSH|^~\\&|CPOE|FAC|LIS|FAC|20240402083000+0200||OML^O21^OML_O21|O-3|P|2.5.1";
        String orc = "ORC|NW|P-1^CPOE";
        String obr = "OBR|1|P-1^CPOE||58410-2^CBC^LN";
        assertThat(one(map(msh, PID, orc, "TQ1|1||||||||R^Routine^HL70485", obr), ServiceRequest.class).getPriority())
                .isEqualTo(ServiceRequest.ServiceRequestPriority.ROUTINE);
        assertThat(statusAt("TQ1-9.3", msh, PID, orc, "TQ1|1||||||||R^Routine^HL70485", obr))
                .isEqualTo(MappingCoverage.Status.MAPPED);
        // A code the value set does not translate leaves the table's name unmapped.
        assertThat(statusAt("TQ1-9.3", msh, PID, orc, "TQ1|1||||||||PRN^As needed^HL70485", obr))
                .isEqualTo(MappingCoverage.Status.UNMAPPED);
    }

    @Test
    void orderControlReasonIsTheStatusReasonWhenOrc5IsEmpty() throws Exception {
        String msh = "MSH|^~\\&|CPOE|FAC|RIS|FAC|20240930112200||ORM^O01|O-4|P|2.3";
        String obr = "OBR|1|ORD-1^CPOE||71046^XR Chest^CPT4";
        String reason = "http://hl7.org/fhir/StructureDefinition/request-statusReason";
        ServiceRequest cancelled = one(map(msh, PID, "ORC|CA|ORD-1^CPOE||||||||||||||DUP^Duplicate order^L", obr),
                ServiceRequest.class);
        assertThat(((org.hl7.fhir.r4.model.CodeableConcept) cancelled.getExtensionByUrl(reason).getValue())
                .getCodingFirstRep().getCode()).isEqualTo("DUP");
        ServiceRequest withStatus = one(map(msh, PID, "ORC|CA|ORD-1^CPOE|||CA|||||||||||DUP^Duplicate order^L", obr),
                ServiceRequest.class);
        assertThat(withStatus.getExtensionByUrl(reason)).isNull();
    }

    @Test
    void appointmentOrderServiceStatusAndDocumentTitle() throws Exception {
        String sch = "SCH|APPT-2^SCHED|F-2^SCHED|||||||||^^^20250502103000-0400^20250502110000-0400|||||||||||||||ORD-5^CPOE|FIL-6^RIS";
        Appointment a = one(map(SIU_MSH, sch, PID, "RGS|1|A", "AIS|1|A|99214^Visit^CPT4|||||||Pending"), Appointment.class);
        assertThat(a.getStatus()).isEqualTo(Appointment.AppointmentStatus.PENDING);
        assertThat(a.getBasedOn()).extracting(r -> r.getIdentifier().getValue()).containsExactly("ORD-5", "FIL-6");
        assertThat(a.getBasedOn().get(0).getIdentifier().getType().getCodingFirstRep().getCode()).isEqualTo("PLAC");

        DocumentReference d = one(map("MSH|^~\\&|DOCS|FAC|EHR|FAC|20250322153001-0700||MDM^T02^MDM_T02|M-2|P|2.7", PID,
                "TXA|1|DS^Discharge summary^HL70270|TX|||||||||DOC-3^DOCS|||||AU||AV||||||Discharge summary, cardiology",
                "OBX|1|TX|18842-5^Discharge^LN|1|Text||||||F"), DocumentReference.class);
        assertThat(d.getDescription()).isEqualTo("Discharge summary, cardiology");
    }
}
