/**
 * The LF set of the hospital-scale benchmark (bench/scale-hospital.ts) over the notes of
 * bench/hospital-corpus.ts: 20 templates (keyword, regex, field, lookup) and 2 code LFs, each
 * keyed on a signal the generator plants with different odds per outcome, as a user would write
 * them after reading a few notes. `hospitalBundle` wraps them in a project file without data,
 * which the app's project import adds to the open dataset (Export → Open a project file).
 */
import { writeBundle } from '../src/core/formats/bundle.ts';
import type { LfDef } from '../src/core/lf/types.ts';
import { HOSPITAL_CLASSES, RISK_MEDS, type HospitalMeta } from './hospital-corpus.ts';

const [NOT, YES] = HOSPITAL_CLASSES;

const kw = (name: string, keywords: string[], label: string): LfDef => ({
  id: name,
  name,
  enabled: true,
  kind: 'keyword',
  label,
  keywords,
  mode: 'any',
  match: 'word',
  caseSensitive: false,
});
const re = (name: string, pattern: string, label: string): LfDef => ({
  id: name,
  name,
  enabled: true,
  kind: 'regex',
  label,
  pattern,
  flags: '',
});
const field = (name: string, f: string, op: '>=' | '<=', value: number, label: string): LfDef => ({
  id: name,
  name,
  enabled: true,
  kind: 'field',
  label,
  field: f,
  op,
  value,
});

export const HOSPITAL_TEMPLATE_LFS: LfDef[] = [
  kw('kw_hf_exacerbation', ['heart failure exacerbation'], YES),
  kw('kw_noncompliant', ['noncompliant', 'against medical advice'], YES),
  kw('kw_lives_alone', ['lives alone'], YES),
  kw('kw_dialysis', ['hemodialysis'], YES),
  kw('kw_poorly_controlled', ['poorly controlled'], YES),
  kw('kw_home_oxygen', ['home oxygen'], YES),
  kw('kw_fall_risk', ['fall risk'], YES),
  kw('kw_polypharmacy', ['polypharmacy'], YES),
  kw('kw_stable', ['stable for discharge'], NOT),
  kw('kw_ambulating', ['ambulating independently', 'independent with activities of daily living'], NOT),
  kw('kw_diet', ['tolerating a regular diet'], NOT),
  kw('kw_family', ['strong family support'], NOT),
  kw('kw_resolved', ['symptoms resolved'], NOT),
  kw('kw_elective', ['elective procedure'], NOT),
  re('re_bnp_high', 'BNP ([5-9]\\d\\d|\\d{4,})\\b', YES),
  re('re_low_ef', 'EF ([12]\\d|3[0-4])%', YES),
  re('re_admissions', '(multiple admissions|\\d hospitalizations) in the past year', YES),
  field('field_long_stay', 'length_of_stay', '>=', 12, YES),
  field('field_short_stay', 'length_of_stay', '<=', 2, NOT),
  {
    id: 'lookup_risk_meds',
    name: 'lookup_risk_meds',
    enabled: true,
    kind: 'lookup',
    label: YES,
    values: RISK_MEDS,
    match: 'word',
    caseSensitive: false,
  },
];

export const HOSPITAL_CODE_LFS: LfDef[] = [
  {
    id: 'code_old_long_stay',
    name: 'code_old_long_stay',
    enabled: true,
    kind: 'code',
    source: `(x) => Number(x.age) >= 75 && Number(x.length_of_stay) >= 5 ? '${YES}' : null`,
  },
  {
    id: 'code_risk_count',
    name: 'code_risk_count',
    enabled: true,
    kind: 'code',
    source: [
      '(x) => {',
      '  const t = String(x.text).toLowerCase();',
      '  let n = 0;',
      "  for (const w of ['exacerbation', 'hemodialysis', 'home oxygen', 'fall risk', 'lives alone']) if (t.includes(w)) n++;",
      `  if (n >= 2) return '${YES}';`,
      `  return n === 0 && t.includes('routine follow-up') ? '${NOT}' : null;`,
      '}',
    ].join('\n'),
  },
];

export const HOSPITAL_LFS: LfDef[] = [...HOSPITAL_TEMPLATE_LFS, ...HOSPITAL_CODE_LFS];

/** The LF the benchmark edits with whole words (the word index answers it), and the keywords it gets. */
export const WORD_EDITED_LF = 'kw_polypharmacy';
export const WORD_EDITED_KEYWORDS = 'polypharmacy, hemodialysis';

/** The LF the benchmark edits with a phrase (scanned), and the keywords it gets. */
export const EDITED_LF = 'kw_resolved';
export const EDITED_KEYWORDS = 'symptoms resolved, routine follow-up';

/** A project file without data carrying the LF set, for the dataset imported from the corpus with `meta`. */
export function hospitalBundle(meta: Pick<HospitalMeta, 'splitCounts'>): string {
  return writeBundle({
    exportedAt: '2026-01-01T00:00:00.000Z',
    project: { name: 'hospital LFs' },
    dataset: {
      name: 'hospital',
      fields: ['id', 'age', 'department', 'note_type', 'admit_date', 'length_of_stay', 'text'],
      textField: 'text',
      classes: [...HOSPITAL_CLASSES],
      splitCounts: { ...meta.splitCounts },
    },
    settings: {},
    lfs: HOSPITAL_LFS,
    gold: { train: [], dev: [], test: [] },
    model: { labelModel: 'auto', classBalance: 'dev', seed: 1 },
  });
}
