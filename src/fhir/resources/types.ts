// The slice of FHIR R4 (4.0.1) data types and resources this facade emits. Field names follow the spec.

export interface Coding {
  system?: string;
  code?: string;
  display?: string;
}

export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}

export interface Reference {
  reference?: string;
  display?: string;
}

export interface Period {
  start?: string;
  end?: string;
}

export interface ContactPoint {
  system?: "phone" | "fax" | "email" | "pager" | "url" | "sms" | "other";
  value?: string;
  use?: "home" | "work" | "temp" | "old" | "mobile";
}

export interface HumanName {
  use?: "usual" | "official" | "temp" | "nickname" | "anonymous" | "old" | "maiden";
  text?: string;
  family?: string;
  given?: string[];
  prefix?: string[];
}

export interface Meta {
  lastUpdated?: string;
}

export interface Resource {
  resourceType: string;
  id?: string;
  meta?: Meta;
}

export interface Patient extends Resource {
  resourceType: "Patient";
  active?: boolean;
  name?: HumanName[];
  telecom?: ContactPoint[];
  birthDate?: string;
  communication?: { language: CodeableConcept; preferred?: boolean }[];
}

export interface Practitioner extends Resource {
  resourceType: "Practitioner";
  active?: boolean;
  name?: HumanName[];
  telecom?: ContactPoint[];
  qualification?: { code: CodeableConcept }[];
  communication?: CodeableConcept[];
}

export interface Schedule extends Resource {
  resourceType: "Schedule";
  active?: boolean;
  serviceType?: CodeableConcept[];
  specialty?: CodeableConcept[];
  actor: Reference[];
  planningHorizon?: Period;
}

export interface Slot extends Resource {
  resourceType: "Slot";
  serviceType?: CodeableConcept[];
  specialty?: CodeableConcept[];
  schedule: Reference;
  status: "busy" | "free" | "busy-unavailable" | "busy-tentative" | "entered-in-error";
  start: string;
  end: string;
}

export type AppointmentStatusCode =
  | "proposed"
  | "pending"
  | "booked"
  | "arrived"
  | "fulfilled"
  | "cancelled"
  | "noshow"
  | "entered-in-error"
  | "checked-in"
  | "waitlist";

export type ParticipationStatus = "accepted" | "declined" | "tentative" | "needs-action";

export interface AppointmentParticipant {
  actor?: Reference;
  required?: "required" | "optional" | "information-only";
  status: ParticipationStatus;
}

export interface Appointment extends Resource {
  resourceType: "Appointment";
  status: AppointmentStatusCode;
  cancelationReason?: CodeableConcept;
  serviceType?: CodeableConcept[];
  specialty?: CodeableConcept[];
  reasonCode?: CodeableConcept[];
  start?: string;
  end?: string;
  minutesDuration?: number;
  created?: string;
  participant: AppointmentParticipant[];
}

export interface OperationOutcomeIssue {
  severity: "fatal" | "error" | "warning" | "information";
  code: string;
  diagnostics?: string;
  expression?: string[];
}

export interface OperationOutcome extends Resource {
  resourceType: "OperationOutcome";
  issue: OperationOutcomeIssue[];
}

export interface BundleLink {
  relation: string;
  url: string;
}

export interface BundleEntry {
  fullUrl?: string;
  resource: Resource;
  search: { mode: "match" | "include" | "outcome" };
}

export interface Bundle extends Resource {
  resourceType: "Bundle";
  type: "searchset";
  total?: number;
  link?: BundleLink[];
  entry?: BundleEntry[];
}
