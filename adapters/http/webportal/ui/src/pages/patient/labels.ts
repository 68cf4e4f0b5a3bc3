// pt-BR names of the API's codes on the patient pages.
export const professionLabel: Record<string, string> = {
  dentist: "Dentista",
  nurse: "Enfermagem",
  nutritionist: "Nutrição",
  occupational_therapist: "Terapia ocupacional",
  pharmacist: "Farmácia",
  physical_educator: "Educação física",
  physician: "Medicina",
  physiotherapist: "Fisioterapia",
  psychologist: "Psicologia",
  speech_therapist: "Fonoaudiologia",
};

export const modeLabel: Record<string, string> = { in_person: "Presencial", telemedicine: "Telemedicina" };

export const statusLabel: Record<string, string> = {
  confirmed: "Confirmada",
  cancelled: "Cancelada",
  completed: "Realizada",
  no_show: "Não compareceu",
};

export const UFS = ["AC", "AL", "AM", "AP", "BA", "CE", "DF", "ES", "GO", "MA", "MG", "MS", "MT", "PA", "PB", "PE", "PI", "PR", "RJ", "RN", "RO", "RR", "RS", "SC", "SE", "SP", "TO"] as const;
export type UF = (typeof UFS)[number];
