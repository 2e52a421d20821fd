import io
import logging
import re
import resource
import time
import zipfile
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_datetime

from ..compat import cron_progress
from .customer_import import (
    COUNT_ACTIONS,
    IMPORT_MODES,
    KEY_FIELDS,
    PARAM_PREFIX,
    SALE_MANAGER_GROUP,
    TRANSFER_MODES,
)
from .customer_import_reader import zip_bomb_size
from .customer_import_xlsx import SHEET_MAX_BYTES
from .customer_linked_records import CHOOSABLE_KINDS

_logger = logging.getLogger(__name__)

LOG_STATES = [
    ("queued", "Queued"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
]
CRON_XMLID = "crm_customer_ownership.ir_cron_run_customer_imports"
LINES_ACTION = "crm_customer_ownership.customer_import_log_line_action"
CUSTOMERS_ACTION = "crm_customer_ownership.customer_import_log_customers_action"
BACKGROUND_ROWS_PARAM = PARAM_PREFIX + "background_rows"
# A file this long imports well within limit_time_cpu (bench/README.md), so
# a slower machine still has room.
BACKGROUND_ROWS_DEFAULT = 10_000
# Plan lines applied per unit of background work: small enough for new
# customers (res.partner's create is the cost) that the units the cron runner
# chains in one pass stay far from limit_time_cpu and limit_time_real_cron,
# even on a loaded machine.
CHUNK_LINES = 2000
# Rows planned per unit of background work, per plan line applied: planning
# a row (lookups, comparison, storing its line) costs a fraction of applying
# it, so that a slice of rows takes about as long as a chunk.
PLAN_ROWS_PER_LINE = 5
# A chunk during which the worker was killed is retried at half the size,
# down to this.
MIN_CHUNK_LINES = 100
# The share of the progress bar the planning (reading the file, planning its
# rows, the checks across rows) takes.
PLAN_PROGRESS = 20
# The units whose work grows with the whole file rather than a chunk: each
# starts a pass of the cron runner.
WHOLE_FILE_UNITS = ("read", "check")
# The cron runner chains several units in one pass, and the worker's limits
# apply to the whole pass: a unit starts only while the pass has used less
# than this, and one of WHOLE_FILE_UNITS only as the pass's first.
PASS_BUDGET_SECONDS = 30
# Under a worker's CPU limit (RLIMIT_CPU), the CPU a unit must have left.
UNIT_CPU_MARGIN = 20
PASS_CACHE_KEY = "crm_customer_ownership.import_pass"
XLSX_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")
XLSX_READ_CHUNK = 1 << 20
IMPORT_FILE_MIMETYPE = "application/x-customer-import"
# Unpacked sheet bytes the row pre-count reads per row allowed: a real row
# is a few hundred bytes; past this the file is no small one, whatever its
# rows hold.
XLSX_PRECOUNT_BYTES_PER_ROW = 4096


def count_rows_over(data, limit, max_unzip_ratio=100):
    """Whether the file has more than ``limit`` lines (CSV) or rows (XLSX),
    header included, without parsing it: enough to choose between the
    immediate and the background import. Stops counting past the limit.

    It runs on every preview and import, before the reader's checks: an
    XLSX the reader refuses from its zip directory (a possible zip bomb, a
    sheet over its size limit) is not unpacked here (False: the immediate
    reader refuses it at once), and no more than XLSX_PRECOUNT_BYTES_PER_ROW
    per allowed row is unpacked (past them, True: the background job reads
    it under the reader's own budgets)."""
    if not data.startswith(b"PK\x03\x04"):
        return data.count(b"\n") + (not data.endswith(b"\n")) > limit
    count = 0
    budget = max(limit, 1) * XLSX_PRECOUNT_BYTES_PER_ROW
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            members = book.infolist()
            if zip_bomb_size(members, len(data), max_unzip_ratio):
                return False
            sheets = [
                member
                for member in members
                if member.filename.startswith("xl/worksheets/")
                and member.filename.endswith(".xml")
            ]
            if any(sheet.file_size > SHEET_MAX_BYTES for sheet in sheets):
                return False
            for member in sheets:
                tail = b""
                with book.open(member) as sheet:
                    while chunk := sheet.read(XLSX_READ_CHUNK):
                        budget -= len(chunk)
                        if budget < 0:
                            return True
                        block = tail + chunk
                        count += len(XLSX_ROW_TAG.findall(block))
                        # A tag cut at the chunk's end is counted next time.
                        cut = block.rfind(b"<")
                        tail = block[cut:] if cut >= len(block) - 16 else b""
                        if tail:
                            count -= len(XLSX_ROW_TAG.findall(tail))
                        if count > limit:
                            return True
    except (zipfile.BadZipFile, OSError, ValueError):
        return False  # the reader refuses it with the right message
    return count > limit


def _process_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class CustomerImportLog(models.Model):
    """One customer import: who imported which file for which agent, how,
    and what it did. Written by the import engine, read by users.

    A file over ``crm_customer_ownership.import_background_rows`` rows is
    a background job: the log is created ``queued`` with the file attached,
    and the scheduled action *Run queued customer imports* reads the file
    into lines still to plan, plans them slice by slice, checks the plan
    across rows, then applies the lines chunk by chunk; each unit commits
    with its count of rows planned or lines applied, so that a run cut
    short resumes after the last committed unit."""

    _name = "customer.import.log"
    _inherit = ["mail.thread"]
    _description = "Customer Import Log"
    _order = "date desc, id desc"
    _rec_name = "filename"

    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one(
        "res.users",
        string="Imported by",
        required=True,
        default=lambda self: self.env.user,
        index=True,
    )
    agent_id = fields.Many2one(
        "res.users",
        string="For Salesperson",
        required=True,
        index=True,
        help="The salesperson whose customer list the file is.",
    )
    filename = fields.Char(string="File")
    import_mode = fields.Selection(IMPORT_MODES, required=True)
    transfer_mode = fields.Selection(TRANSFER_MODES, required=True)
    key_fields = fields.Selection(KEY_FIELDS, string="Key", required=True)
    transfer_kinds = fields.Json(
        help="The kinds of linked records transferred customers bring along, "
        '{"kinds": [keys of customer_linked_records.LINKED_KINDS]}; '
        "empty: the company's default."
    )
    transfer_kinds_summary = fields.Char(
        string="What Followed",
        compute="_compute_transfer_kinds_summary",
        help="The kinds of linked records transferred customers brought along.",
    )
    count_create = fields.Integer("Created")
    count_update = fields.Integer("Updated")
    count_unchanged = fields.Integer("Unchanged")
    count_restore = fields.Integer("Restored")
    count_transfer = fields.Integer("Transferred")
    count_trash = fields.Integer("Trashed")
    count_error = fields.Integer("Errors")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    state = fields.Selection(
        LOG_STATES,
        required=True,
        default="done",
        index=True,
        help="Queued and Running: a large file being imported in the "
        "background. Failed: see the message; Resume continues after the "
        "last chunk applied.",
    )
    progress = fields.Integer(
        default=100, help="Percentage of the import done (0-100)."
    )
    failure_message = fields.Text(readonly=True)
    attachment_id = fields.Many2one(
        "ir.attachment",
        string="Queued File",
        ondelete="set null",
        help="The file of a background import, kept until it is done.",
    )
    is_read = fields.Boolean(
        help="The background import has read the file and stored its rows."
    )
    row_count = fields.Integer("Rows", help="Data rows of the file.")
    planned_row_count = fields.Integer(
        "Rows Planned",
        help="Rows planned and committed: a resumed import continues after them.",
    )
    is_planned = fields.Boolean(
        help="The background import has planned every row and checked the "
        "plan across rows."
    )
    confirm_mass_trash = fields.Boolean(
        help="The importing user accepted that this import trashes more "
        "customers than the mass-trash limits allow."
    )
    preview_only = fields.Boolean(
        help="A background preview of a large file: its plan is stored, "
        "nothing is applied."
    )
    plan_summary = fields.Char(compute="_compute_plan_summary")
    line_ids = fields.One2many("customer.import.log.line", "log_id", string="Plan")
    line_count = fields.Integer(
        "Plan Lines", help="Lines of the plan of a background import."
    )
    chunk_lines = fields.Integer(
        default=lambda self: CHUNK_LINES,
        help="Plan lines per chunk; halved when a chunk outlived the worker's "
        "time limits.",
    )
    applied_line_count = fields.Integer(
        "Lines Applied",
        help="Plan lines applied and committed: a resumed import continues after them.",
    )

    # ------------------------------------------------------------------
    # Queue
    # ------------------------------------------------------------------

    @api.depends("transfer_kinds")
    def _compute_transfer_kinds_summary(self):
        # The kinds by the labels of their boxes in the wizard, translated.
        labels = self.env["customer.transfer.kinds.mixin"].fields_get(
            [kind.flag for kind in CHOOSABLE_KINDS], ["string"]
        )
        for log in self:
            if not log.transfer_kinds:
                log.transfer_kinds_summary = self.env._("The company's default")
                continue
            chosen = set(log.transfer_kinds["kinds"])
            log.transfer_kinds_summary = ", ".join(
                labels[kind.flag]["string"]
                for kind in CHOOSABLE_KINDS
                if kind.key in chosen
            ) or self.env._("None")

    @api.depends("filename", "date")
    def _compute_display_name(self):
        # An import over XML-RPC may have no file name: named by its date
        # rather than Odoo's "Customer Import Log,12".
        for log in self:
            log.display_name = log.filename or log.env._(
                "Import of %(date)s", date=format_datetime(log.env, log.date)
            )

    @api.depends(*(f"count_{action}" for action in COUNT_ACTIONS), "state")
    def _compute_plan_summary(self):
        for log in self:
            # Named first: the translation extractor cannot read a
            # comprehension among the arguments of _().
            counts = {action: log[f"count_{action}"] for action in COUNT_ACTIONS}
            log.plan_summary = log.env._(
                "To create: %(create)s, to update: %(update)s, unchanged: "
                "%(unchanged)s, to restore: %(restore)s, to transfer: "
                "%(transfer)s, to trash: %(trash)s, rows with errors: %(error)s",
                **counts,
            )

    @api.model
    def _background_rows(self):
        return self.env["ir.config_parameter"]._get_int_param(
            BACKGROUND_ROWS_PARAM, BACKGROUND_ROWS_DEFAULT
        )

    @api.model
    def _is_background_file(self, data):
        """Files of more rows than ``import_background_rows`` (header
        excluded) are imported in the background."""
        limits = self.env["customer.import"]._get_import_limits()
        return count_rows_over(
            data or b"", self._background_rows() + 1, limits["max_unzip_ratio"]
        )

    @api.model
    def _create_log(self, options, kinds, **vals):
        """The log of an import made with the engine's ``options``."""
        # sudo: the log is an audit trail users only read; a background job
        # keeps the importing user in user_id and applies the import with
        # their rights.
        return (
            self.sudo()
            .with_context(mail_create_nolog=True, mail_create_nosubscribe=True)
            .create(
                {
                    "user_id": self.env.uid,
                    "agent_id": options["agent"].id,
                    "filename": options["filename"],
                    "import_mode": options["import_mode"],
                    "transfer_mode": options["transfer_mode"],
                    "key_fields": options["key_fields"],
                    "confirm_mass_trash": options["confirm_mass_trash"],
                    # A dict: the Json field stores an empty list as NULL.
                    "transfer_kinds": None
                    if kinds is None
                    else {"kinds": sorted(kinds)},
                    "company_id": self.env.company.id,
                    **vals,
                }
            )
        )

    @api.model
    def _queue_import(self, data, options, kinds=None, preview_only=False):
        """Queue a background import of ``data`` with the engine's
        ``options`` and wake the cron up.

        The rights are checked now, so that a user learns at once that the
        import is not theirs to make; the file itself is read by the job.
        """
        self.env["customer.import"]._check_import_allowed(
            options["agent"], options["import_mode"], options["transfer_mode"]
        )
        log = self._create_log(
            options, kinds, state="queued", progress=0, preview_only=preview_only
        )
        filename = options["filename"]
        log.attachment_id = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": filename or "customers",
                    "raw": data,
                    # Odoo keeps a full-text copy of a text/* attachment
                    # (ir.attachment._index), attachment_indexation of an
                    # XLSX; octet-stream would be guessed again. The job
                    # reads the raw bytes, whatever the type says.
                    "mimetype": IMPORT_FILE_MIMETYPE,
                    "res_model": self._name,
                    "res_id": log.id,
                }
            )
        )
        self._trigger_cron()
        return log.sudo(False)

    @api.model
    def _cron_purge_import_files(self):
        """Delete the files of the imports older than the trash retention,
        failed ones included (they can no longer be resumed): a failed
        import kept its file for ever."""
        limit = fields.Datetime.now() - timedelta(
            days=self.env["res.partner"]._get_trash_retention_days()
        )
        logs = self.sudo().search(
            [
                ("attachment_id", "!=", False),
                ("state", "in", ("done", "failed")),
                ("date", "<", limit),
            ]
        )
        logs._unlink_files()
        return logs

    def _unlink_files(self):
        # sudo: the files are the queue's; users never read them.
        self.env["ir.attachment"].sudo().search(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)]
        ).unlink()

    def unlink(self):
        self._unlink_files()
        return super().unlink()

    @api.model
    def _trigger_cron(self):
        # sudo: triggering the scheduled action is the queue's own business;
        # users have no access to ir.cron.
        self.env.ref(CRON_XMLID).sudo()._trigger()

    def action_resume(self):
        """Queue a failed background import again: it continues after the
        last unit committed (the file read, the rows planned, the chunks
        applied). A plan with row errors needs a corrected file instead."""
        for log in self:
            log.check_access("read")
            if log.user_id != self.env.user and not self.env.user.has_group(
                SALE_MANAGER_GROUP
            ):
                raise AccessError(
                    self.env._(
                        "Only %(user)s, who imported %(file)s, or a sales "
                        "administrator may resume the import.",
                        user=log.user_id.name,
                        file=log.filename,
                    )
                )
            if log.state != "failed" or log.count_error or not log.attachment_id:
                raise UserError(
                    self.env._(
                        "The import of %(file)s cannot be resumed: only a failed "
                        "background import without row errors can. Correct the "
                        "file and import it again.",
                        file=log.filename,
                    )
                )
            log._check_resumable_past_mass_trash()
        # sudo: users only read logs; resuming is a workflow step checked above.
        self.sudo().write({"state": "queued", "failure_message": False})
        self._trigger_cron()
        return True

    def _check_resumable_past_mass_trash(self):
        """A plan the mass-trash guard refused is not applied by a resume:
        the confirmation belongs to the import's options, given before."""
        if not self.is_planned:
            return
        engine = self._engine()
        warning = engine._mass_trash_warning(self.count_trash, self.agent_id)
        if warning and not self.confirm_mass_trash:
            raise UserError(
                self.env._(
                    "The import of %(file)s cannot be resumed: %(warning)s "
                    "Import the file again and confirm the mass trash if "
                    "that is intended.",
                    file=self.filename,
                    warning=warning,
                )
            )

    # ------------------------------------------------------------------
    # Job
    # ------------------------------------------------------------------

    @api.model
    def _cron_run_imports(self):
        """Scheduled action: one unit of work (reading a file, planning a
        slice of its rows, checking the plan, applying a chunk of it) of the
        oldest queued import per call. It reports
        its progress to the cron runner, which commits and calls again while
        work remains, so each unit is its own transaction."""
        pending = self.sudo().search([("state", "in", ("queued", "running"))])
        if not pending:
            return
        log = pending.sorted("id")[0]
        if self._previous_run_killed():
            log._after_killed_unit()
        if log.state not in ("queued", "running"):
            done = 0
        elif self._pass_budget_left(heavy=log._next_unit() in WHOLE_FILE_UNITS):
            log._run_import_step()
            done = 1
        else:
            done = 0
        remaining = pending.filtered(lambda log: log.state in ("queued", "running"))
        units = sum(log._units_left() for log in remaining)
        cron_progress(self.env, done, units)
        if units:
            # Wakes the cron worker again as soon as this pass ends (the
            # runner stops a pass after its count of units or when we leave
            # budget).
            self._trigger_cron()

    def _next_unit(self):
        """The next unit of work of this import: ``read`` the file, ``plan``
        a slice of its rows, ``check`` the plan across rows, ``apply`` a
        chunk of it."""
        self.ensure_one()
        if self.is_planned:
            return "apply"
        if not self.is_read:
            return "read"
        if self.planned_row_count < self.row_count:
            return "plan"
        return "check"

    def _plan_chunk_rows(self):
        return self.chunk_lines * PLAN_ROWS_PER_LINE

    def _units_left(self):
        self.ensure_one()
        left = 0 if self.preview_only else self.line_count - self.applied_line_count
        units = -(-left // self.chunk_lines)
        if not self.is_planned:
            rows = self.row_count - self.planned_row_count
            units += (not self.is_read) + -(-rows // self._plan_chunk_rows()) + 1
        return units

    @api.model
    def _previous_run_killed(self):
        """Whether the cron's previous run never returned: its worker was
        killed (time or memory limit, restart). The runner stamps each run
        with 1 + the number of such runs right before it."""
        progress_id = self.env.context.get("ir_cron_progress_id")
        if not progress_id:
            return False
        return self.env["ir.cron.progress"].browse(progress_id).timed_out_counter > 1

    def _after_killed_unit(self):
        """The worker died during this import's last unit, which committed
        nothing: retry a chunk (or slice of rows to plan) at half the size;
        reading the file and checking the plan are retried once, then the
        import fails with the reason."""
        self.ensure_one()
        log = self.sudo()
        unit = log._next_unit()
        if unit not in WHOLE_FILE_UNITS and log.chunk_lines > MIN_CHUNK_LINES:
            log.chunk_lines = max(MIN_CHUNK_LINES, log.chunk_lines // 2)
            _logger.warning(
                "Customer import %s: a chunk outlived the worker's limits, "
                "retrying with %s lines per chunk",
                log.id,
                log.chunk_lines,
            )
            return
        # sudo: read the last runs of our own cron job.
        killed = (
            self.env["ir.cron.progress"]
            .sudo()
            .browse(self.env.context["ir_cron_progress_id"])
            .timed_out_counter
            - 1
        )
        if unit in WHOLE_FILE_UNITS and killed < 2:
            return
        if unit not in WHOLE_FILE_UNITS:
            reason = self.env._(
                "The server stopped the import because a chunk of %(count)s "
                "rows outlived the time limits of its workers (limit_time_cpu, "
                "limit_time_real_cron). Ask the administrator to raise the "
                "limits, then resume the import.",
                count=log.chunk_lines if unit == "apply" else log._plan_chunk_rows(),
            )
        else:
            reason = self.env._(
                "The server stopped the import twice while it read the file, "
                "because reading it outlived the time limits of its workers "
                "(limit_time_cpu, limit_time_real_cron). Import the file in "
                "smaller parts, or ask the administrator to raise the limits "
                "and resume the import."
            )
        log._fail(reason)

    @api.model
    def _pass_budget_left(self, heavy):
        """Whether another unit fits in this pass of the cron runner: the
        worker's CPU and real-time limits cover all the units of a pass.
        Outside the runner (tests, shell) there is no pass to budget."""
        if not self.env.context.get("ir_cron_progress_id"):
            return True
        started = self.env.cr.cache.setdefault(
            PASS_CACHE_KEY, (time.monotonic(), _process_cpu_seconds())
        )
        wall = time.monotonic() - started[0]
        cpu = _process_cpu_seconds() - started[1]
        first = wall < 1
        if heavy and not first:
            return False
        soft, _hard = resource.getrlimit(resource.RLIMIT_CPU)
        if (
            not first
            and soft != resource.RLIM_INFINITY
            and soft - _process_cpu_seconds() < UNIT_CPU_MARGIN
        ):
            return False
        return first or max(wall, cpu) < PASS_BUDGET_SECONDS

    def _engine(self):
        """The import engine as the importing user, in the log's company and
        the user's language: the job has the rights the user had."""
        self.ensure_one()
        user = self.user_id
        return (
            self.env["customer.import"]
            .with_user(user)
            .with_company(self.company_id)
            .with_context(lang=user.lang, tracking_disable=True)
        )

    def _run_import_step(self):
        """Run the next unit of the import (see _next_unit) in a savepoint.
        An error marks the import failed with its message (the units before
        stay committed, and Resume continues); a killed worker raises nothing
        here and the next run repeats the unit."""
        self.ensure_one()
        log = self.sudo()
        if log.state == "queued":
            log.state = "running"
        started, cpu = time.monotonic(), _process_cpu_seconds()
        step = log._next_unit()
        run = {
            "read": log._read_file,
            "plan": log._plan_chunk,
            "check": log._check_plan,
            "apply": log._apply_chunk,
        }[step]
        try:
            with self.env.cr.savepoint():
                run()
        except (UserError, AccessError) as error:
            log._fail(error.args[0])
        # Any other failure too: the user learns of it on the log.
        except Exception as error:
            _logger.exception("Customer import %s failed", log.id)
            log._fail(
                self.env._(
                    "The import stopped on an unexpected error: %(error)s. "
                    "Resume it once the cause is fixed; it continues after "
                    "the last chunk applied.",
                    error=str(error),
                )
            )
        _logger.info(
            "Customer import %s: %s step in %.1f s (%.1f s CPU), %s of %s rows "
            "planned, %s of %s lines applied, %s",
            log.id,
            step,
            time.monotonic() - started,
            _process_cpu_seconds() - cpu,
            log.planned_row_count,
            log.row_count,
            log.applied_line_count,
            log.line_count,
            log.state,
        )
        # Each unit starts from an empty cache: memory stays flat.
        self.env.invalidate_all()

    def _options(self):
        """The import's options as the engine's plan holds them."""
        engine = self._engine()
        return {
            "agent": engine.env["res.users"].browse(self.agent_id.id),
            "filename": self.filename,
            "import_mode": self.import_mode,
            "transfer_mode": self.transfer_mode,
            "key_fields": self.key_fields,
            "confirm_mass_trash": self.confirm_mass_trash,
        }

    def _read_file(self):
        """Read the file and store its rows as lines still to plan."""
        engine = self._engine()
        options = self._options()
        engine._check_import_allowed(
            options["agent"], self.import_mode, self.transfer_mode
        )
        rows = engine._read_rows(self.attachment_id.raw, self.filename, self.key_fields)
        self.env["customer.import.log.line"]._store_rows(self, rows)
        self.write({"is_read": True, "row_count": len(rows), "planned_row_count": 0})

    def _chunk(self, start, size):
        """The lines at positions ``start`` to ``start + size``: the slice a
        unit plans or the chunk it applies, after those committed."""
        return self.env["customer.import.log.line"].search(
            [
                ("log_id", "=", self.id),
                ("sequence", ">=", start),
                ("sequence", "<", start + size),
            ],
            order="sequence",
        )

    def _plan_chunk(self):
        """Plan the next slice of rows and count them as planned, in one
        transaction: their lines planned and counted, or neither."""
        engine = self._engine()
        options = self._options()
        start = self.planned_row_count
        rows = self._chunk(start, self._plan_chunk_rows())._to_rows()
        lines = engine._plan_rows(
            rows,
            options["agent"],
            self.import_mode,
            self.transfer_mode,
            self.key_fields,
        )
        del rows
        self.env["customer.import.log.line"]._replace_rows(self, start, lines)
        planned = start + len(lines)
        self.write(
            {
                "planned_row_count": planned,
                # The last share of the planning is the checks.
                "progress": (PLAN_PROGRESS - 1) * planned // self.row_count,
            }
        )

    def _check_plan(self):
        """Check the plan across rows once every row is planned (rows naming
        one customer, an ERP Number given twice, transfers out of reach),
        add the trash lines and count the plan; a plan with row errors fails
        the import before anything is written."""
        engine = self._engine()
        options = self._options()
        Line = self.env["customer.import.log.line"]
        lines = Line._plan_lines_to_check(self)
        before = [Line._checked_values(line) for line in lines]
        trash = engine._check_plan_lines(
            lines, options["agent"], self.import_mode, self.transfer_mode
        )
        Line._write_checked(lines, before)
        Line._store(self, trash, start=self.row_count)
        plan = engine._plan_from_lines(lines + trash, options)
        error = False
        try:
            engine._check_plan_errors(plan)
            engine._check_mass_trash(plan)
        except UserError as refusal:
            # A preview shows the row errors; an import stops on them.
            error = not self.preview_only and refusal.args[0]
        line_count = len(plan["lines"])
        self.write(
            {
                "is_planned": True,
                "line_count": line_count,
                "applied_line_count": 0,
                "progress": PLAN_PROGRESS,
                **engine._count_vals(plan),
            }
        )
        if error:
            self._fail(error)
        elif self.preview_only or not line_count:
            self._finish()

    def _apply_chunk(self):
        """Apply the next ``chunk_lines`` plan lines and count them as applied,
        in one transaction: applied and counted, or neither."""
        engine = self._engine()
        start = self.applied_line_count
        lines = self._chunk(start, self.chunk_lines)
        plan_lines = lines._to_plan_lines()
        options = self._options()
        kinds = set(self.transfer_kinds["kinds"]) if self.transfer_kinds else None
        engine._apply_lines(plan_lines, options, kinds)
        lines._set_result_partners(plan_lines)
        # Transfers found stale at apply time (see _drop_stale_transfers).
        stale = [line for line in plan_lines if line["action"] == "error"]
        if stale:
            Line = self.env["customer.import.log.line"]
            Line._write_checked(stale, [None] * len(stale))
            self.write(
                {
                    "count_transfer": self.count_transfer - len(stale),
                    "count_error": self.count_error + len(stale),
                }
            )
        applied = start + self.chunk_lines
        if applied >= self.line_count:
            self._finish()
            return
        self.write(
            {
                "applied_line_count": applied,
                "progress": PLAN_PROGRESS
                + (100 - PLAN_PROGRESS) * applied // self.line_count,
            }
        )

    def _finish(self):
        attachment = self.attachment_id
        self.write(
            {
                "state": "done",
                "progress": 100,
                "applied_line_count": 0 if self.preview_only else self.line_count,
                "attachment_id": False,
            }
        )
        # The plan lines say what the file did; the file itself is not kept.
        attachment.unlink()
        self._notify_user()

    def _fail(self, message):
        self.write({"state": "failed", "failure_message": message})
        self._notify_user()

    # ------------------------------------------------------------------
    # Notification
    # ------------------------------------------------------------------

    def _notify_user(self):
        """Tell the importing user how the background import ended: a message
        on the log in their inbox, and a notification in their browser."""
        self.ensure_one()
        user = self.user_id
        log = self.with_context(lang=user.lang)
        _ = log.env._
        base = f"/odoo/{self._name}/{self.id}"
        links = Markup(" ").join(
            Markup('<a href="%s">%s</a>') % (href, label)
            for href, label in (
                (base, _("Open the import")),
                (f"{base}/action-{LINES_ACTION}", _("Plan lines")),
                (f"{base}/action-{CUSTOMERS_ACTION}", _("Customers")),
            )
        )
        if self.state == "done" and self.preview_only:
            title = _("Customer import preview ready")
            text = _(
                "The preview of %(file)s for %(agent)s is ready. %(summary)s.",
                file=self.filename,
                agent=self.agent_id.name,
                summary=log.plan_summary,
            )
        elif self.state == "done":
            title = _("Customer import done")
            text = _(
                "The file %(file)s is imported for %(agent)s. Created: "
                "%(created)s, updated: %(updated)s, unchanged: %(unchanged)s, "
                "restored: %(restored)s, transferred: %(transferred)s, "
                "trashed: %(trashed)s.",
                file=self.filename,
                agent=self.agent_id.name,
                created=self.count_create,
                updated=self.count_update,
                unchanged=self.count_unchanged,
                restored=self.count_restore,
                transferred=self.count_transfer,
                trashed=self.count_trash,
            )
        else:
            title = _("Customer import failed")
            text = _(
                "The import of %(file)s for %(agent)s failed: %(message)s",
                file=self.filename,
                agent=self.agent_id.name,
                message=self.failure_message,
            )
        log.message_post(
            body=Markup("<p>%s</p><p>%s</p>") % (text, links),
            partner_ids=user.partner_id.ids,
            subtype_xmlid="mail.mt_note",
            message_type="comment",
        )
        self.env["bus.bus"]._sendone(
            user.partner_id,
            "simple_notification",
            {
                "type": "success" if self.state == "done" else "danger",
                "title": title,
                "message": text,
                "sticky": self.state == "failed",
            },
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_view_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(LINES_ACTION)
        action["domain"] = [("log_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_view_customers(self):
        """The customers the import created, changed, transferred or trashed."""
        self.ensure_one()
        partners = (
            self.env["customer.import.log.line"]
            .search(
                [
                    ("log_id", "=", self.id),
                    ("action", "not in", ("unchanged", "error")),
                    ("partner_id", "!=", False),
                ]
            )
            .partner_id
        )
        return self.env["customer.import"]._action_imported_customers(self, partners)
