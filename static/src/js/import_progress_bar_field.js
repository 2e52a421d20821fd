import { onWillUnmount } from "@odoo/owl";
import { registry } from "@web/core/registry";
import {
    ProgressBarField,
    progressBarField,
} from "@web/views/fields/progress_bar/progress_bar_field";

// How often the progress of a background customer import is read again.
const REFRESH_MS = 2000;

/**
 * Odoo's progress bar, reloading its record every two seconds until the
 * import leaves the queued and running states, so the import wizard follows
 * its background job without a click.
 */
export class ImportProgressBarField extends ProgressBarField {
    setup() {
        super.setup();
        const timer = setInterval(() => {
            const record = this.props.record;
            const state = record.data.log_state;
            if (record.data[this.props.name] >= 100 || !["queued", "running"].includes(state)) {
                clearInterval(timer);
                return;
            }
            record.load();
        }, REFRESH_MS);
        onWillUnmount(() => clearInterval(timer));
    }
}

registry.category("fields").add("import_progressbar", {
    ...progressBarField,
    component: ImportProgressBarField,
});
