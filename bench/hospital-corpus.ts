/**
 * A seeded corpus of long, clinical-note-like documents for the hospital-scale benchmark
 * (bench/scale-hospital.ts): no real patient data, every word drawn from the lists below.
 *
 * `npx tsx bench/hospital-corpus.ts [--rows 500000] [--seed 1] [--out bench/out/hospital.csv]`
 * writes the CSV (streamed) and a `.meta.json` beside it (rows, bytes, split counts).
 *
 * Each row is one note: `id`, `age`, `department`, `note_type`, `admit_date`,
 * `length_of_stay`, `text` (1–6 KB: chief complaint, history, medications, exam, labs,
 * assessment, plan), `split` (train / dev / test) and `label`. The outcome — readmitted within
 * 30 days or not — is drawn first; fields and phrases are then drawn given it (a naive-Bayes
 * generative model: signals are conditionally independent given the outcome), so keyword,
 * regex, field and lookup LFs each have some signal and none has it all. `label` is written
 * only for dev and test rows (the small hand-labelled sample a hospital would have); train rows
 * are unlabelled, as the notes the product is for. The outcome's name never appears in the
 * text: no phrase contains "readmi".
 *
 * Every row depends only on (seed, row index), so any N gives the first N rows of a larger N.
 */
import { createWriteStream, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deriveSeed, mulberry32, type Rng } from '../src/core/rng.ts';

export const HOSPITAL_CLASSES = ['not_readmitted', 'readmitted'] as const;
export const HOSPITAL_COLUMNS = ['id', 'age', 'department', 'note_type', 'admit_date', 'length_of_stay', 'text', 'split', 'label'] as const;
/** Share of readmitted notes; dev and test shares of all rows. */
export const P_READMITTED = 0.28;
export const DEV_SHARE = 0.01;
export const TEST_SHARE = 0.01;
export const MIN_TEXT = 1000;
export const MAX_TEXT = 6000;

export type HospitalSplit = 'train' | 'dev' | 'test';

export interface HospitalRow {
  id: string;
  age: number;
  department: string;
  note_type: string;
  admit_date: string;
  length_of_stay: number;
  text: string;
  split: HospitalSplit;
  /** 1 = readmitted, 0 = not: the hidden outcome (in the CSV only for dev and test rows). */
  y: 0 | 1;
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
/** A rough normal draw (sum of uniforms). */
const normal = (rng: Rng) => rng() + rng() + rng() + rng() - 2;

const DEPARTMENTS = ['cardiology', 'general medicine', 'nephrology', 'pulmonology', 'oncology', 'orthopedics', 'neurology', 'surgery'];
/** Readmission is more likely in some departments (weights by outcome). */
const DEPT_WEIGHT: Record<0 | 1, number[]> = {
  0: [1, 1.2, 0.6, 0.8, 0.8, 1.6, 1, 1.4],
  1: [1.8, 1.3, 1.4, 1.3, 1.1, 0.4, 0.8, 0.6],
};
const NOTE_TYPES = ['discharge summary', 'progress note', 'history and physical', 'consult note'];

const COMPLAINTS = [
  'shortness of breath',
  'chest pain',
  'lower extremity swelling',
  'fever and chills',
  'abdominal pain',
  'generalized weakness',
  'productive cough',
  'right hip pain after a fall at home',
  'confusion',
  'palpitations',
  'nausea and vomiting',
  'elective knee replacement',
  'dizziness',
  'worsening fatigue',
];
const CONDITIONS = [
  'hypertension',
  'type 2 diabetes mellitus',
  'hyperlipidemia',
  'atrial fibrillation',
  'coronary artery disease',
  'chronic obstructive pulmonary disease',
  'chronic kidney disease stage 3',
  'osteoarthritis',
  'hypothyroidism',
  'gastroesophageal reflux disease',
  'obstructive sleep apnea',
  'depression',
  'anemia',
  'benign prostatic hyperplasia',
];
const MEDS = [
  'lisinopril 10 mg daily',
  'metoprolol succinate 50 mg daily',
  'atorvastatin 40 mg nightly',
  'metformin 1000 mg twice daily',
  'amlodipine 5 mg daily',
  'omeprazole 20 mg daily',
  'levothyroxine 75 mcg daily',
  'aspirin 81 mg daily',
  'sertraline 50 mg daily',
  'acetaminophen 650 mg every 6 hours as needed',
  'tamsulosin 0.4 mg daily',
  'albuterol inhaler as needed',
];
/** Medications that go with sicker patients (the lookup LF's list). */
export const RISK_MEDS = ['furosemide', 'insulin glargine', 'warfarin', 'apixaban', 'spironolactone', 'prednisone', 'tiotropium'];
const ALLERGIES = ['no known drug allergies', 'penicillin (rash)', 'sulfa drugs', 'codeine (nausea)', 'latex', 'iodinated contrast'];
const EXAM = [
  'Vital signs reviewed.',
  'Alert and oriented to person, place and time.',
  'Heart with regular rate and rhythm, no murmurs.',
  'Lungs with scattered crackles at the bases.',
  'Lungs clear to auscultation bilaterally.',
  'Abdomen soft, nontender, nondistended.',
  'Trace bilateral pitting edema of the ankles.',
  'No focal neurological deficit.',
  'Skin warm and dry, no rashes.',
  'Surgical incision clean, dry and intact.',
  'Mucous membranes moist.',
  'Jugular venous pressure not elevated.',
];
const FILLER = [
  'The patient was seen and examined at the bedside.',
  'Discussed the findings with the patient and the nursing staff.',
  'Records from the outside hospital were reviewed.',
  'The case was discussed at the multidisciplinary rounds this morning.',
  'Pain is controlled with the current regimen.',
  'The patient slept overnight without events.',
  'Telemetry showed sinus rhythm overnight.',
  'Physical therapy evaluated the patient today.',
  'Questions were answered and the patient agrees with the plan.',
  'Case management is following for discharge needs.',
  'Blood glucose values ranged within the target range on the sliding scale.',
  'Intake and output were recorded and reviewed.',
  'The patient denies headache, vision changes or new numbness.',
  'Code status was confirmed as full code.',
  'Vaccination history was reviewed and is up to date.',
];

/**
 * Signal phrases, the sentence (after "She"/"He") that carries each, and its chance of appearing
 * in a note of each outcome: P | not readmitted, P | readmitted. An LF keyed on one of them is
 * right about as often as the ratio says and covers about as many rows.
 */
export const SIGNALS: readonly { phrase: string; sentence: string; p: readonly [number, number] }[] = [
  { phrase: 'heart failure exacerbation', sentence: 'presented with a heart failure exacerbation.', p: [0.04, 0.3] },
  { phrase: 'noncompliant with medications', sentence: 'has been noncompliant with medications.', p: [0.05, 0.28] },
  { phrase: 'lives alone', sentence: 'lives alone.', p: [0.05, 0.3] },
  { phrase: 'on hemodialysis', sentence: 'is on hemodialysis three times a week.', p: [0.02, 0.16] },
  { phrase: 'poorly controlled', sentence: 'has poorly controlled blood sugars.', p: [0.05, 0.32] },
  { phrase: 'requires home oxygen', sentence: 'requires home oxygen at 2 liters.', p: [0.03, 0.22] },
  { phrase: 'high fall risk', sentence: 'is a high fall risk.', p: [0.04, 0.26] },
  { phrase: 'multiple admissions in the past year', sentence: 'has had multiple admissions in the past year.', p: [0.03, 0.25] },
  { phrase: 'left against medical advice', sentence: 'left against medical advice during a prior stay.', p: [0.01, 0.09] },
  { phrase: 'polypharmacy', sentence: 'is on polypharmacy with more than ten medications.', p: [0.03, 0.2] },
  { phrase: 'stable for discharge', sentence: 'is stable for discharge.', p: [0.45, 0.12] },
  { phrase: 'ambulating independently', sentence: 'is ambulating independently in the hallway.', p: [0.38, 0.1] },
  { phrase: 'tolerating a regular diet', sentence: 'is tolerating a regular diet.', p: [0.4, 0.15] },
  { phrase: 'strong family support', sentence: 'has strong family support at home.', p: [0.3, 0.08] },
  { phrase: 'independent with activities of daily living', sentence: 'is independent with activities of daily living.', p: [0.28, 0.07] },
  { phrase: 'symptoms resolved', sentence: 'reports the presenting symptoms resolved.', p: [0.33, 0.1] },
  { phrase: 'routine follow-up', sentence: 'needs only routine follow-up.', p: [0.4, 0.16] },
  { phrase: 'elective procedure', sentence: 'came in for an elective procedure.', p: [0.16, 0.03] },
];

function splitOf(rng: Rng): HospitalSplit {
  const u = rng();
  return u < DEV_SHARE ? 'dev' : u < DEV_SHARE + TEST_SHARE ? 'test' : 'train';
}

function weighted(rng: Rng, xs: readonly string[], w: readonly number[]): string {
  let total = 0;
  for (const x of w) total += x;
  let u = rng() * total;
  for (let i = 0; i < xs.length; i++) if ((u -= w[i]) < 0) return xs[i];
  return xs[xs.length - 1];
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** One note, from the seed and its index alone. */
export function hospitalRow(seed: number, i: number): HospitalRow {
  const rng = mulberry32(deriveSeed(seed, `row${i}`));
  const y: 0 | 1 = rng() < P_READMITTED ? 1 : 0;
  const split = splitOf(rng);
  const age = Math.max(18, Math.min(99, Math.round(60 + 9 * y + 20 * normal(rng))));
  const department = weighted(rng, DEPARTMENTS, DEPT_WEIGHT[y]);
  const noteType = pick(rng, NOTE_TYPES);
  const los = Math.max(1, Math.round(-Math.log(1 - rng()) * (y ? 6.5 : 3.5)));
  const day = int(rng, 0, 3 * 365 - 1);
  const admit = new Date(Date.UTC(2023, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
  const pronoun = rng() < 0.5 ? 'She' : 'He';

  const signals = SIGNALS.filter((g) => rng() < g.p[y]).map((g) => g.sentence);
  // Where each present signal goes: spread over the sections so no section gives it away.
  const placed: string[][] = [[], [], [], []];
  for (const s of signals) placed[int(rng, 0, 3)].push(s);
  const signalSentence = (s: string) => `${pronoun} ${s}`;

  const target = MIN_TEXT + Math.floor((MAX_TEXT - MIN_TEXT - 1000) * Math.pow(rng(), y ? 0.8 : 1.1));
  const parts: string[] = [];
  parts.push(`CHIEF COMPLAINT: ${cap(pick(rng, COMPLAINTS))}.`);
  const hpi = [
    `HISTORY OF PRESENT ILLNESS: ${age}-year-old patient admitted to ${department} with ${pick(rng, COMPLAINTS)} for ${int(rng, 1, 14)} days.`,
    ...placed[0].map(signalSentence),
  ];
  if (y && rng() < 0.3) hpi.push(`${pronoun} had ${int(rng, 2, 5)} hospitalizations in the past year.`);
  parts.push(hpi.join(' '));
  const pmh = Array.from({ length: int(rng, 2, 6) }, () => pick(rng, CONDITIONS));
  parts.push(`PAST MEDICAL HISTORY: ${[...new Set(pmh)].join(', ')}.`);
  const meds = Array.from({ length: int(rng, 2, 7) }, () => pick(rng, MEDS));
  if (rng() < (y ? 0.5 : 0.08)) meds.push(`${pick(rng, RISK_MEDS)} as directed`);
  parts.push(`MEDICATIONS: ${[...new Set(meds)].join('; ')}.`);
  parts.push(`ALLERGIES: ${cap(pick(rng, ALLERGIES))}.`);
  parts.push(
    `SOCIAL HISTORY: ${pronoun} ${pick(rng, ['quit smoking years ago', 'never smoked', 'smokes half a pack a day', 'drinks socially'])}. ${placed[1].map(signalSentence).join(' ')}`.trimEnd(),
  );
  const exam = Array.from({ length: int(rng, 3, 7) }, () => pick(rng, EXAM));
  parts.push(
    `PHYSICAL EXAM: BP ${int(rng, 95, 175)}/${int(rng, 55, 100)}, HR ${int(rng, 55, 118)}, SpO2 ${int(rng, y ? 86 : 90, 99)}%. ${exam.join(' ')}`,
  );
  const bnp = rng() < (y ? 0.4 : 0.05) ? int(rng, 500, 2400) : int(rng, 20, 480);
  const ef = rng() < (y ? 0.35 : 0.04) ? int(rng, 15, 34) : int(rng, 40, 65);
  parts.push(
    `LABS: sodium ${int(rng, 128, 145)}, potassium ${(3 + rng() * 2.2).toFixed(1)}, creatinine ${(0.6 + rng() * (y ? 3 : 1.4)).toFixed(1)}, BNP ${bnp}, hemoglobin ${(8 + rng() * 7).toFixed(1)}. Echo EF ${ef}%.`,
  );
  parts.push(
    `ASSESSMENT: ${[pick(rng, CONDITIONS), pick(rng, CONDITIONS)].join(' and ')}. ${placed[2].map(signalSentence).join(' ')}`.trimEnd(),
  );
  parts.push(
    `PLAN: Continue current medications. ${placed[3].map(signalSentence).join(' ')} Follow up with ${pick(rng, ['primary care', 'cardiology clinic', 'the surgical team', 'nephrology clinic'])} in ${int(rng, 1, 6)} weeks.`.replace(
      /\s+/g,
      ' ',
    ),
  );
  let text = parts.join('\n\n');
  // Progress lines bring each note to its drawn length, inside [MIN_TEXT, MAX_TEXT].
  while (text.length < target) {
    const line = `\n${pick(rng, FILLER)} ${pick(rng, FILLER)}`;
    if (text.length + line.length > MAX_TEXT) break;
    text += line;
  }
  return {
    id: `N${String(i).padStart(7, '0')}`,
    age,
    department,
    note_type: noteType,
    admit_date: admit,
    length_of_stay: los,
    text,
    split,
    y,
  };
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line (with its newline); `label` only for dev and test rows. */
export function hospitalCsvLine(r: HospitalRow): string {
  const label = r.split === 'train' ? '' : HOSPITAL_CLASSES[r.y];
  return (
    [r.id, String(r.age), r.department, r.note_type, r.admit_date, String(r.length_of_stay), r.text, r.split, label]
      .map(csvField)
      .join(',') + '\n'
  );
}

export interface HospitalMeta {
  rows: number;
  seed: number;
  bytes: number;
  splitCounts: Record<HospitalSplit, number>;
  readmitted: number;
  classes: readonly string[];
  /** Changes when the generator's output changes, so a cached file is not reused across versions. */
  generator: number;
}
export const GENERATOR_VERSION = 1;

/** The CSV in pieces of about `chunkBytes`, header first, and the corpus's meta at the end. */
export function* hospitalCsv(rows: number, seed: number, chunkBytes = 1 << 20): Generator<string, HospitalMeta> {
  const meta: HospitalMeta = {
    rows,
    seed,
    bytes: 0,
    splitCounts: { train: 0, dev: 0, test: 0 },
    readmitted: 0,
    classes: HOSPITAL_CLASSES,
    generator: GENERATOR_VERSION,
  };
  let buf = HOSPITAL_COLUMNS.join(',') + '\n';
  for (let i = 0; i < rows; i++) {
    const r = hospitalRow(seed, i);
    meta.splitCounts[r.split]++;
    meta.readmitted += r.y;
    buf += hospitalCsvLine(r);
    if (buf.length >= chunkBytes) {
      meta.bytes += Buffer.byteLength(buf);
      yield buf;
      buf = '';
    }
  }
  meta.bytes += Buffer.byteLength(buf);
  yield buf;
  return meta;
}

/** Write the CSV to `path` (through a temporary file, so a cut-short run leaves no half corpus) and its meta beside it. */
export async function writeHospitalCsv(path: string, rows: number, seed: number): Promise<HospitalMeta> {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.partial`;
  const stream = createWriteStream(tmp);
  const gen = hospitalCsv(rows, seed);
  let meta: HospitalMeta;
  for (;;) {
    const next = gen.next();
    if (next.done) {
      meta = next.value;
      break;
    }
    if (!stream.write(next.value)) await new Promise<void>((r) => stream.once('drain', () => r()));
  }
  await new Promise<void>((r, j) => stream.end((e?: Error | null) => (e ? j(e) : r())));
  renameSync(tmp, path);
  writeFileSync(metaPath(path), JSON.stringify(meta, null, 1) + '\n');
  return meta;
}

export const metaPath = (csvPath: string) => csvPath.replace(/\.csv$/, '') + '.meta.json';

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const rows = Number(flag('rows') ?? 500_000);
  const seed = Number(flag('seed') ?? 1);
  const out = flag('out') ?? `bench/out/hospital-${rows}-s${seed}.csv`;
  const t0 = performance.now();
  const meta = await writeHospitalCsv(out, rows, seed);
  console.log(`${out}: ${meta.rows} rows, ${(meta.bytes / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
