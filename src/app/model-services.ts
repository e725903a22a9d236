/**
 * The Model screen's three services, built from one set of dependencies and wired to each
 * other: the classifier trains on the label model's fit, the ONNX export exports the
 * classifier. `onVotes` is what the page calls when the enabled LFs' votes change: a new
 * dataset version drops what was on screen and reads that version's settings and stored
 * classifier; then the label model restores or refits.
 */
import { ClassifierService } from './classifier.svelte.ts';
import { LabelModelService } from './label-model.svelte.ts';
import type { ModelDeps } from './model-deps.ts';
import { OnnxExportService } from './onnx-export.svelte.ts';

export class ModelServices {
  readonly labelModel: LabelModelService;
  readonly classifier: ClassifierService;
  readonly onnx: OnnxExportService;
  /** The dataset version whose stored state (settings, classifier) is loaded. */
  private openVersion: string | null = null;

  constructor(private readonly deps: ModelDeps) {
    this.labelModel = new LabelModelService(deps);
    this.classifier = new ClassifierService(deps, this.labelModel);
    this.onnx = new OnnxExportService(deps, this.classifier);
  }

  /** The votes changed (or a project opened): bring the screen in step with them. */
  async onVotes(): Promise<void> {
    const { votes, versionId } = this.deps.project;
    if (!votes || !versionId) return;
    if (this.openVersion !== versionId) {
      // Another project or dataset version: nothing on screen belongs to it any more.
      this.openVersion = versionId;
      this.labelModel.forget();
      this.onnx.forget();
      await this.classifier.open(versionId);
    }
    await this.labelModel.onVotes();
  }

  /** Gold labels changed: rescore the label model and the classifier (no refit). */
  rescore(): void {
    this.labelModel.rescore();
    // The classifier is rescored even without a label model (a restored, stale one).
    this.classifier.rescore();
  }
}
