import io
import re
from collections import Counter, defaultdict
from functools import partial

from openpyxl import Workbook

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, split_every
from odoo.tools.misc import format_date

from ..compat import PARTNER_HAS_MOBILE, has_field_access
from .customer_import_plan_line_mixin import PLAN_ACTIONS
from .customer_import_reader import (
    CustomerFileReader,
    base64_size,
    check_file_size,
)
from .customer_import_xlsx import CELL_MAX_CHARS, CellProblem, column_letters
from .res_partner import EXTERNAL_REF_MAX_LENGTH
from .res_partner_transfer import TRANSFER_GROUP
from .res_partner_transfer import TRANSFER_MODES as PARTNER_TRANSFER_MODES

IMPORT_MODES = [
    ("create", "Create only"),
    ("update", "Create and update"),
    ("update_delete", "Create, update and trash absent"),
]
TRANSFER_MODES = [("none", "No transfer"), *PARTNER_TRANSFER_MODES]
KEY_FIELDS = [
    ("external", "ERP Number"),
    ("internal", "Odoo ID"),
    ("both", "Odoo ID, else ERP Number"),
]
SALE_MANAGER_GROUP = "sales_team.group_sale_manager"
PARAM_PREFIX = "crm_customer_ownership.import_"
LIMIT_DEFAULTS = {
    "max_mb": 30,
    "max_rows": 100_000,
    "max_unzip_ratio": 100,
    # An update_delete import trashing more than this percentage of the
    # salesperson's customers, or more than this many, needs confirming...
    "max_trash_share": 50,
    "max_trash": 3000,
    # ...unless it trashes this many or fewer: a short list sorting out a
    # few customers is everyday work, not a truncated file.
    "min_trash_guard": 20,
}
# Keys per lookup query: a few queries per thousand rows, never one per row.
LOOKUP_BATCH = 5000
# Records per create call: large enough for multi-row INSERTs, small enough
# to empty the ORM cache between calls.
WRITE_BATCH = 5000
# Where a row's key is looked for, in this order; the first kind that holds
# the key decides. Archived (not trashed) customers of the agent stop the
# row: creating a twin would break the unique ERP Number per salesperson.
LOOKUP_ORDER = ("own", "own_trash", "own_archived", "other", "other_trash")
IMPORTABLE_TYPES = frozenset(
    {"char", "text", "selection", "integer", "float", "boolean", "date"}
)
# Stored fields an import must never set: keys, ownership, trash, bookkeeping.
NOT_IMPORTABLE = frozenset(
    {
        "id",
        "active",
        "user_id",
        "company_id",
        "trashed_at",
        "trashed_by_id",
        "display_name",
        "create_date",
        "write_date",
    }
)
# Problems a refusal lists before it says how many more there are.
MAX_PROBLEMS_SHOWN = 10
COUNTRY_COLUMN = "country_code"
# PostgreSQL refuses a btree index entry over 2704 bytes (version 4 btrees
# on 8 KB pages) with a raw ProgramLimitExceeded. It compresses a long value
# first, but text that does not compress (random, already compressed)
# enters the index as it is, so a value of an indexed column is held to
# what one entry carries, in bytes of UTF-8: the entry less its header,
# length words and alignment, with room to spare for what an expression
# index adds to its column (phone_validation's normalised phone).
BTREE_ENTRY_MAX_BYTES = 2704
BTREE_ENTRY_OVERHEAD = 64
# Indexed columns Odoo computes from several columns an import writes,
# which share one entry: complete_name is "Company, Name" for a person.
INDEXED_FROM_COLUMNS = {"complete_name": ("company_name", "name")}
# Columns that fill a field only where the row leaves it empty, with a row
# warning naming both values where it does not: Odoo 19 has no mobile
# field, so an ERP file's mobile number becomes the phone of a row without
# one (README, "Import").
FILLING_COLUMNS = {} if PARTNER_HAS_MOBILE else {"mobile": "phone"}
TEMPLATE_FILENAME = "customer_import_template.xlsx"
TEMPLATE_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_COLUMNS = (
    "external_ref",
    "name",
    "email",
    "phone",
    "mobile",
    "street",
    "street2",
    "zip",
    "city",
    COUNTRY_COLUMN,
    "vat",
)
# What a plan line says about its customer stays short whatever the file
# holds, so that the preview of a large file stays small in memory: each
# value, the name and a row's list of changes are cut at these lengths.
PREVIEW_VALUE_CHARS = 60
PREVIEW_NAME_CHARS = 120
PREVIEW_CHANGES_CHARS = 300
# Actions whose line writes the file's values to an existing customer.
CHANGING_ACTIONS = frozenset({"update", "restore", "transfer"})
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "x", "ja", "wahr"})
FALSE_WORDS = frozenset({"", "0", "false", "no", "n", "nein", "falsch"})
COUNT_ACTIONS = tuple(action for action, _label in PLAN_ACTIONS)


def shorten(text, limit):
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def normalize_header(header):
    """'Country Code' and 'country-code' name the column country_code."""
    return re.sub(r"[\s\-]+", "_", (header or "").strip().lower())


class CustomerImport(models.AbstractModel):
    """The import engine behind the import wizard and XML-RPC: reads a file,
    plans each row (``_plan_import``, which writes nothing) and applies the
    plan in one savepoint (``_apply_plan``), transferring customers through
    ``res.partner._transfer_customers``."""

    _name = "customer.import"
    _description = "Customer Import Engine"

    # ------------------------------------------------------------------
    # Settings and rights
    # ------------------------------------------------------------------

    @api.model
    def _get_import_limits(self):
        """The import's limits, from the system parameters ``crm_customer_
        ownership.import_<key>`` of each key of LIMIT_DEFAULTS."""
        params = self.env["ir.config_parameter"]
        return {
            key: params._get_int_param(PARAM_PREFIX + key, default)
            for key, default in LIMIT_DEFAULTS.items()
        }

    @api.model
    def _check_upload_size(self, data, filename):
        """Refuse a file (``data``: base64) over ``import_max_mb`` as it is
        uploaded, before it is stored or read."""
        max_bytes = self._get_import_limits()["max_mb"] * 1024 * 1024
        check_file_size(base64_size(data), filename, self.env._, max_bytes)

    @api.model
    def _check_agent_exists(self, agent):
        """An id that names no user would otherwise fail as a database
        constraint, which tells an XML-RPC client nothing."""
        if not agent.exists():
            raise UserError(
                self.env._(
                    "There is no salesperson with the id %(id)s: choose an active "
                    "internal user as salesperson.",
                    id=agent.id,
                )
            )

    @api.model
    def _check_import_allowed(self, agent, import_mode, transfer_mode):
        """Every rule on who may import what, for the UI and XML-RPC alike."""
        user = self.env.user
        self._check_agent_exists(agent)
        if agent != user and not user.has_group(SALE_MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only sales administrators may import the customer list of "
                    "another salesperson (%(agent)s): import your own list or "
                    "ask a sales administrator.",
                    agent=agent.name,
                )
            )
        if not agent.active or agent.share:
            raise UserError(
                self.env._(
                    "%(agent)s is not an active internal user: import the "
                    "customers for an active salesperson.",
                    agent=agent.name,
                )
            )
        self.env["res.partner"].check_access("create")
        self.env["res.partner"].check_access("write")
        if transfer_mode == "none":
            return
        if import_mode not in ("update", "update_delete"):
            raise UserError(
                self.env._(
                    "Customers can only be transferred by an import that updates: "
                    "choose the mode 'Create and update' or 'Create, update and "
                    "trash absent', or no transfer."
                )
            )
        if not user.has_group(TRANSFER_GROUP):
            raise AccessError(
                self.env._(
                    "You are not allowed to transfer customers between "
                    "salespeople: import without transfer, or ask an "
                    "administrator for the right 'Transfer customers between "
                    "salespeople'."
                )
            )

    # ------------------------------------------------------------------
    # File and columns
    # ------------------------------------------------------------------

    @api.model
    def _open_file(self, data, filename):
        limits = self._get_import_limits()
        return CustomerFileReader(
            data,
            filename,
            self.env._,
            max_bytes=limits["max_mb"] * 1024 * 1024,
            max_rows=limits["max_rows"],
            max_unzip_ratio=limits["max_unzip_ratio"],
        )

    @api.model
    def _importable_fields(self):
        """{column name: res.partner field name} of the stored plain fields an
        import may set, plus the country by ISO code."""
        columns = {}
        for name, field in self.env["res.partner"]._fields.items():
            if (
                field.store
                and field.type in IMPORTABLE_TYPES
                and name not in NOT_IMPORTABLE
                and not field.readonly
                and not (field.compute and not field.inverse)
                and not field.related
            ):
                columns[name] = name
        columns[COUNTRY_COLUMN] = "country_id"
        columns.update(FILLING_COLUMNS)
        return columns

    @api.model
    def _map_columns(self, header, key_fields, filename):
        """{column index: field name} for the file's header; ``id`` is the
        internal key. Refuses unknown, repeated and missing key columns."""
        importable = self._importable_fields()
        Partner = self.env["res.partner"]
        mapping, seen = {}, set()
        unknown, protected, forbidden, repeated = [], [], [], []
        for index, title in enumerate(header):
            column = normalize_header(title)
            label = f"{column_letters(index)} ({title})"
            if not column:
                if title:
                    unknown.append(label)
                continue
            if column in seen:
                repeated.append(label)
                continue
            seen.add(column)
            field = Partner._fields.get(importable.get(column, column))
            if column == "id":
                mapping[index] = "id"
            elif column not in importable:
                (protected if field else unknown).append(label)
            elif not has_field_access(Partner, field, "write"):
                forbidden.append(label)
            else:
                mapping[index] = importable[column]
        if unknown:
            raise UserError(
                self.env._(
                    "The file %(file)s has columns no customer field matches "
                    "(%(columns)s): rename them to field names as in the "
                    "template, or remove them.",
                    file=filename,
                    columns=self._first_problems(unknown),
                )
            )
        if protected:
            raise UserError(
                self.env._(
                    "The file %(file)s has columns an import cannot set "
                    "(%(columns)s: salesperson, company, state, relations and "
                    "computed fields): remove them.",
                    file=filename,
                    columns=self._first_problems(protected),
                )
            )
        if forbidden:
            raise UserError(
                self.env._(
                    "The file %(file)s has columns you may not change "
                    "(%(columns)s): remove them, or ask an administrator to "
                    "import the file.",
                    file=filename,
                    columns=self._first_problems(forbidden),
                )
            )
        if repeated:
            raise UserError(
                self.env._(
                    "The file %(file)s has the columns %(columns)s more than "
                    "once: keep one of each.",
                    file=filename,
                    columns=self._first_problems(repeated),
                )
            )
        fields_in_file = set(mapping.values())
        needed = {
            "external": {"external_ref"},
            "internal": {"id"},
            "both": {"external_ref", "id"},
        }[key_fields]
        missing = needed - fields_in_file
        if missing:
            raise UserError(
                self.env._(
                    "The file %(file)s has no %(columns)s column, which the "
                    "chosen key needs: add the column or choose another key.",
                    file=filename,
                    columns=" / ".join(sorted(missing)),
                )
            )
        if key_fields == "external" and "id" in fields_in_file:
            raise UserError(
                self.env._(
                    "The file %(file)s has an id column but the key is the "
                    "ERP Number only: choose the key 'Both' or remove the id "
                    "column.",
                    file=filename,
                )
            )
        return mapping

    @api.model
    def _first_problems(self, problems, total=None):
        """The first problems of a list (of ``total``), joined, and how many
        more there are: a refusal stays readable whatever the file holds."""
        total = len(problems) if total is None else total
        shown = "; ".join(str(problem) for problem in problems[:MAX_PROBLEMS_SHOWN])
        if total <= MAX_PROBLEMS_SHOWN:
            return shown
        return self.env._(
            "%(shown)s; others not listed: %(count)s",
            shown=shown,
            count=total - MAX_PROBLEMS_SHOWN,
        )

    @api.model
    def _column_converters(self, mapping):
        """{field name: function(text) -> value}; a function raises
        ValueError with the message to show on the row."""
        Partner = self.env["res.partner"]
        converters = {}
        for fname in mapping.values():
            if fname == "id":
                converters[fname] = self._cell_to_id
            elif fname == "country_id":
                countries = {
                    country.code.upper(): country.id
                    for country in self.env["res.country"].search_fetch([], ["code"])
                }
                converters[fname] = partial(self._cell_to_country, countries)
            else:
                field = Partner._fields[fname]
                converters[fname] = partial(
                    getattr(self, f"_cell_to_{field.type}"), field
                )
        return converters

    def _bad_cell(self, field, text, hint):
        return ValueError(
            self.env._(
                "%(value)s is not a valid value for the column %(column)s: %(hint)s.",
                value=text,
                column=field.name,
                hint=hint,
            )
        )

    def _cell_to_id(self, text):
        if not text:
            return False
        try:
            return int(text)
        except ValueError:
            raise ValueError(
                self.env._(
                    "%(value)s is not an Odoo ID: the id column takes whole numbers.",
                    value=text,
                )
            ) from None

    def _cell_to_country(self, countries, text):
        if not text:
            return False
        country_id = countries.get(text.upper())
        if not country_id:
            raise ValueError(
                self.env._(
                    "Unknown country code %(code)s: use the two-letter ISO code "
                    "(AT, DE, ...).",
                    code=text,
                )
            )
        return country_id

    @api.model
    def _indexed_value_limits(self):
        """{res.partner column: the most bytes of UTF-8 a value may take} for
        each column a btree index holds, read from the database's catalog so
        that indexes other modules add count too (see
        BTREE_ENTRY_MAX_BYTES); columns that share an entry through
        INDEXED_FROM_COLUMNS share its bytes."""
        self.env.cr.execute(
            """
            SELECT DISTINCT a.attname
              FROM pg_index i
              JOIN pg_class ic ON ic.oid = i.indexrelid
              JOIN pg_am am ON am.oid = ic.relam AND am.amname = 'btree'
              JOIN pg_depend d ON d.classid = 'pg_class'::regclass
                              AND d.objid = i.indexrelid
                              AND d.refclassid = 'pg_class'::regclass
                              AND d.refobjid = i.indrelid
                              AND d.refobjsubid > 0
              JOIN pg_attribute a ON a.attrelid = i.indrelid
                                 AND a.attnum = d.refobjsubid
             WHERE i.indrelid = %s::regclass
               AND a.atttypid IN ('varchar'::regtype, 'text'::regtype)
            """,
            [self.env["res.partner"]._table],
        )
        entry = BTREE_ENTRY_MAX_BYTES - BTREE_ENTRY_OVERHEAD
        limits = {column: entry for (column,) in self.env.cr.fetchall()}
        for indexed, sources in INDEXED_FROM_COLUMNS.items():
            if indexed in limits:
                # The sources joined by ", ".
                share = (entry - 2 * (len(sources) - 1)) // len(sources)
                for source in sources:
                    limits[source] = min(limits.get(source, share), share)
        return limits

    def _cell_problem(self, fname, text, byte_limits):
        """Why no field can hold ``text`` as it is, else None: the database
        refuses a NUL character, a CSV cell is held to the limit of an XLSX
        cell (Excel's own), and a value of an indexed column to what an
        index entry carries (``byte_limits``, see _indexed_value_limits): a
        name of 10 MB, or of 3,000 random letters, reached the database's
        index as a raw ProgramLimitExceeded."""
        if "\x00" in text:
            return self.env._(
                "the value holds a NUL character (an invisible control "
                "character that no field can store): remove it from the cell."
            )
        if len(text) > CELL_MAX_CHARS:
            return self.env._(
                "the value has %(count)s characters, more than the %(max)s a "
                "cell may hold: shorten it.",
                count=len(text),
                max=CELL_MAX_CHARS,
            )
        max_bytes = byte_limits.get(fname)
        if max_bytes and len(text) * 4 > max_bytes:
            size = len(text.encode())
            if size > max_bytes:
                return self.env._(
                    "the value takes %(size)s bytes, more than the %(max)s "
                    "bytes the database can index for this column (an "
                    "accented letter takes two bytes or more): shorten it.",
                    size=size,
                    max=max_bytes,
                )
        return None

    def _cell_to_char(self, field, text):
        return text or False

    _cell_to_text = _cell_to_char

    def _cell_to_selection(self, field, text):
        if not text:
            return False
        selection = field._description_selection(self.env)
        for value, label in selection:
            if text.lower() in (str(value).lower(), str(label).lower()):
                return value
        raise self._bad_cell(
            field,
            text,
            self.env._(
                "use one of %(values)s",
                values=", ".join(str(value) for value, _label in selection),
            ),
        )

    def _cell_to_integer(self, field, text):
        try:
            return int(float(text)) if text else 0
        except ValueError:
            raise self._bad_cell(field, text, self.env._("write a number")) from None

    def _cell_to_float(self, field, text):
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            return float(text) if text else 0.0
        except ValueError:
            raise self._bad_cell(field, text, self.env._("write a number")) from None

    def _cell_to_boolean(self, field, text):
        word = text.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise self._bad_cell(field, text, self.env._("write 1 or 0"))

    def _cell_to_date(self, field, text):
        if not text:
            return False
        try:
            if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", text):
                day, month, year = text.split(".")
                text = f"{year}-{int(month):02d}-{int(day):02d}"
            return fields.Date.to_date(text[:10])
        except ValueError:
            raise self._bad_cell(
                field, text, self.env._("write a date as YYYY-MM-DD")
            ) from None

    @api.model
    def _parse_rows(self, reader, mapping):
        """Each data row as {"row", "ref", "id", "vals", "error", "warning"}:
        the key columns apart, the other columns converted to field values."""
        converters = self._column_converters(mapping)
        byte_limits = self._indexed_value_limits()
        labels = {
            index: f"{column_letters(index)} ({reader.header[index]})"
            for index in mapping
        }
        fillers = {
            index
            for index in mapping
            if normalize_header(reader.header[index]) in FILLING_COLUMNS
        }
        rows = []
        for number, values in reader.rows():
            row = {"row": number, "ref": False, "id": False, "vals": {}, "error": ""}
            errors, filling = [], []
            for index, fname in mapping.items():
                text = values[index] if index < len(values) else ""
                if isinstance(text, CellProblem):
                    errors.append(str(text))
                    continue
                problem = self._cell_problem(fname, text, byte_limits)
                if not problem:
                    try:
                        value = converters[fname](text)
                    except ValueError as error:
                        problem = error.args[0]
                if problem:
                    errors.append(
                        self.env._(
                            "Column %(column)s: %(message)s",
                            column=labels[index],
                            message=problem,
                        )
                    )
                    continue
                if index in fillers:
                    filling.append((index, fname, value))
                elif fname == "id":
                    row["id"] = value
                else:
                    row["vals"][fname] = value
                    if fname == "external_ref":
                        row["ref"] = value
            if row["ref"] and len(row["ref"]) > EXTERNAL_REF_MAX_LENGTH:
                errors.append(
                    self.env._(
                        "The ERP Number %(ref)s is longer than %(max)s "
                        "characters: shorten it.",
                        ref=row["ref"],
                        max=EXTERNAL_REF_MAX_LENGTH,
                    )
                )
            row["error"] = " ".join(errors)
            row["warning"] = self._fill_row(row["vals"], filling, labels)
            rows.append(row)
        return rows

    @api.model
    def _fill_row(self, vals, filling, labels):
        """Fill ``vals`` from the FILLING_COLUMNS' values [(column index,
        field name, value)] where the row leaves the field empty; returns the
        warning naming both values where it does not."""
        warnings = []
        for index, fname, value in filling:
            current = vals.get(fname)
            if not current:
                if value:
                    vals[fname] = value
            elif value and value != current:
                warnings.append(
                    self.env._(
                        "Column %(column)s: %(value)s is not imported, the "
                        "customer keeps the %(field)s %(current)s.",
                        column=labels[index],
                        value=value,
                        field=self.env["res.partner"]
                        ._fields[fname]
                        ._description_string(self.env),
                        current=current,
                    )
                )
        return " ".join(warnings)

    # ------------------------------------------------------------------
    # Lookup
    # ------------------------------------------------------------------

    @api.model
    def _customer_domain(self):
        """The customers an import looks at: owned by a salesperson, top-level
        (contacts of a company follow it), of the current company or shared."""
        return [
            ("user_id", "!=", False),
            ("parent_id", "=", False),
            ("company_id", "in", [self.env.company.id, False]),
            # A merged customer lives on only for an undo of its merge.
            ("merged_into_id", "=", False),
        ]

    @api.model
    def _agent_customer_domain(self, agent):
        """The agent's customers an import may trash: not the partners of
        users."""
        return self._customer_domain() + [
            ("user_id", "=", agent.id),
            ("user_ids", "=", False),
        ]

    @api.model
    def _find_by_keys(self, key_field, keys, fnames):
        """{key: [partner, ...]} of the company's customers whose ``key_field``
        (``external_ref`` or ``id``) is one of ``keys``, every owner, trash
        included, in a few batched queries."""
        # sudo: the import must see the customers and trash of other
        # salespeople to transfer them; the transfer engine checks the
        # user's own rights before anything moves.
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        found = defaultdict(list)
        read = list({*fnames, "external_ref", "user_id", "active", "trashed_at"})
        for batch in split_every(LOOKUP_BATCH, keys, list):
            partners = self._search_by_keys(
                Partner, self._customer_domain(), key_field, batch
            )
            partners.fetch(read)
            for partner in partners:
                found[partner[key_field]].append(partner)
        return found

    @api.model
    def _search_by_keys(self, Partner, domain, key_field, keys):
        """The records of ``Partner`` matching ``domain`` whose ``key_field``
        is one of ``keys``, in id order, found key by key through the index
        of ``key_field``, even without statistics.

        A plain ``key IN (...)`` leaves the plan to the statistics, and right
        after an ERP's customers are loaded (or inside the import's own
        transaction) there are none: PostgreSQL may then read the whole table
        for every file, or once per key. OFFSET 0 keeps the per-key subquery
        from being merged into a join, so each key is one indexed lookup
        (tests/test_query_plans.py holds that plan on never-analysed tables).
        """
        query = Partner._search(domain)
        query.add_where(SQL("%s = keys.key", SQL.identifier(query.table, key_field)))
        array_type = SQL("int[]") if key_field == "id" else SQL("varchar[]")
        rows = self.env.execute_query(
            SQL(
                "SELECT DISTINCT found.id FROM unnest(%s::%s) AS keys(key)"
                " CROSS JOIN LATERAL (%s OFFSET 0) AS found ORDER BY found.id",
                list(keys),
                array_type,
                query.select(),
            ),
        )
        return Partner.browse([partner_id for (partner_id,) in rows])

    @api.model
    def _lookup(self, candidates, agent):
        """(kind, partners) for one key: the first kind of LOOKUP_ORDER that
        holds it, or ("none", [])."""
        kinds = defaultdict(list)
        for partner in candidates:
            own = partner.user_id.id == agent.id
            if partner.active:
                kind = "own" if own else "other"
            elif partner.trashed_at:
                kind = "own_trash" if own else "other_trash"
            elif own:
                kind = "own_archived"
            else:
                continue  # archived by another salesperson: out of play
            kinds[kind].append(partner)
        for kind in LOOKUP_ORDER:
            if kinds[kind]:
                return kind, kinds[kind]
        return "none", []

    # ------------------------------------------------------------------
    # Plan
    # ------------------------------------------------------------------

    @api.model
    def _plan_import(
        self,
        data,
        filename,
        agent,
        import_mode="update",
        transfer_mode="none",
        key_fields="external",
        confirm_mass_trash=False,
    ):
        """What importing the file would do, row by row, without writing.

        :param confirm_mass_trash: the user accepts that the import trashes
            more customers than the limits allow (see _check_mass_trash)
        :returns: {"lines": [{"row", "key", "action", "partner_id",
                  "source_id", "from_user_id", "from_trash", "message",
                  "vals", "name", "changes"}], "counts": {action: n},
                  "options": {...}, "mass_trash": the warning when the
                  limits are passed}
        """
        self._check_import_allowed(agent, import_mode, transfer_mode)
        rows = self._read_rows(data, filename, key_fields)
        lines = self._plan_rows(rows, agent, import_mode, transfer_mode, key_fields)
        del rows
        lines += self._check_plan_lines(lines, agent, import_mode, transfer_mode)
        return self._plan_from_lines(
            lines,
            {
                "agent": agent,
                "filename": filename,
                "import_mode": import_mode,
                "transfer_mode": transfer_mode,
                "key_fields": key_fields,
                "confirm_mass_trash": confirm_mass_trash,
            },
        )

    # A background import runs the steps of _plan_import as units of their
    # own (customer.import.log): reading the file, planning slices of its
    # rows, then the checks across rows once every row is planned.

    @api.model
    def _read_rows(self, data, filename, key_fields):
        """The file's data rows, converted, a key repeated within the file
        marked on each of its rows: all that planning needs of the file."""
        reader = self._open_file(data, filename)
        mapping = self._map_columns(reader.header, key_fields, filename)
        rows = self._parse_rows(reader, mapping)
        self._mark_duplicates(rows, key_fields)
        return rows

    @api.model
    def _plan_rows(self, rows, agent, import_mode, transfer_mode, key_fields):
        """One plan line per row, each row on its own: a slice of the file's
        rows plans as it does within the whole file, the checks across rows
        (``_check_plan_lines``) aside."""
        fnames = sorted({fname for row in rows for fname in row["vals"]})
        matches = self._match_rows(rows, key_fields, fnames, agent)
        planner = self._with_readable_customers(
            partner for _kind, partners in matches.values() for partner in partners
        )
        lines = [
            planner._plan_row(
                row, matches.get(index), agent, import_mode, transfer_mode
            )
            for index, row in enumerate(rows)
        ]
        for row, line in zip(rows, lines, strict=True):
            if row.get("warning") and line["action"] != "error":
                line["message"] = f"{line['message'] or ''} {row['warning']}".strip()
        # While the lookups' values of the matched customers are in cache.
        self._describe_lines(lines)
        # The lookups cached every matched customer; the plan keeps their ids.
        self.env.invalidate_all()
        return lines

    @api.model
    def _check_plan_lines(self, lines, agent, import_mode, transfer_mode):
        """The checks that need every row planned (rows naming one customer,
        ERP Numbers given twice, transfers out of reach), in place; returns
        the trash lines of an ``update_delete`` import."""
        self._mark_same_target(lines)
        self._mark_ref_clashes(lines, agent)
        self._mark_unreachable_sources(lines, transfer_mode)
        for line in lines:
            if line["action"] not in CHANGING_ACTIONS:
                line["changes"] = False
        if import_mode != "update_delete":
            return []
        trash = self._plan_trash(lines, agent)
        self._describe_lines(trash)
        return trash

    @api.model
    def _plan_from_lines(self, lines, options):
        """The plan of _plan_import from its checked lines."""
        counts = self._count_lines(lines)
        return {
            "lines": lines,
            "counts": counts,
            "options": options,
            "mass_trash": self._mass_trash_warning(counts["trash"], options["agent"]),
        }

    @api.model
    def _count_lines(self, lines):
        """{action: number of plan lines}, every action of COUNT_ACTIONS."""
        counts = Counter(line["action"] for line in lines)
        return {action: counts[action] for action in COUNT_ACTIONS}

    @api.model
    def _count_vals(self, plan):
        """The plan's counts as the ``count_<action>`` fields of a log or a
        wizard."""
        return {f"count_{action}": plan["counts"][action] for action in COUNT_ACTIONS}

    @api.model
    def _describe_lines(self, lines):
        """Give each plan line the ``name`` of its customer and, when the line
        changes an existing customer, its ``changes`` as "Label: old → new",
        for the preview and the import log.

        A matched customer the user may read is named by its own name; any
        other line keeps the name from the file, so a restricted user learns
        nothing of a customer they cannot read. Set-based: the customers'
        values are those the lookups read, the rights one check per batch.
        """
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        matched = Partner.browse({line["partner_id"] for line in lines} - {False})
        readable = self._readable_customer_ids(matched)
        partners = {partner.id: partner for partner in matched}
        format_value = self._value_formatter(lines)
        for line in lines:
            partner = partners.get(line["partner_id"])
            if partner and partner.id in readable:
                line["name"] = partner.display_name
                if line["action"] in CHANGING_ACTIONS:
                    line["changes"] = self._changes_text(
                        partner, line["vals"], format_value
                    )
            line["name"] = shorten(line["name"], PREVIEW_NAME_CHARS)

    @api.model
    def _changes_text(self, partner, vals, format_value):
        """'Phone: 0511 123 → 0511 999; City: Hannover → Celle', field labels
        in the user's language, cut after PREVIEW_CHANGES_CHARS."""
        parts, size = [], 0
        for fname, new in vals.items():
            if size > PREVIEW_CHANGES_CHARS:
                break
            field = partner._fields[fname]
            label = field._description_string(self.env)
            old = format_value(field, partner[fname])
            part = f"{label}: {old} \u2192 {format_value(field, new)}"
            parts.append(part)
            size += len(part) + 2
        return shorten("; ".join(parts), PREVIEW_CHANGES_CHARS)

    @api.model
    def _value_formatter(self, lines):
        """function(field, value) -> the value as the user reads it: labels of
        selections, country names, dates in the user's format."""
        countries = {}
        if any("country_id" in line["vals"] for line in lines):
            countries = {
                country.id: country.name
                for country in self.env["res.country"].search_fetch([], ["name"])
            }
        selections = {}
        yes_no = {True: self.env._("Yes"), False: self.env._("No")}

        def format_value(field, value):
            if field.type == "boolean":
                return yes_no[bool(value)]
            if field.name == "country_id":
                value = countries.get(value.id if hasattr(value, "id") else value)
            elif field.type == "selection" and value:
                if field.name not in selections:
                    selections[field.name] = dict(
                        field._description_selection(self.env)
                    )
                value = selections[field.name].get(value, value)
            elif field.type == "date" and value:
                value = format_date(self.env, value)
            if value is None or value is False or value == "":
                return "\u2014"
            return shorten(value, PREVIEW_VALUE_CHARS)

        return format_value

    @api.model
    def _readable_customer_ids(self, partners):
        """The ids of ``partners`` (found with sudo) that the importing user
        may read: the plan names and links no other customer."""
        Partner = self.env["res.partner"].with_context(active_test=False)
        readable = set()
        for batch in split_every(LOOKUP_BATCH, {p.id for p in partners}, list):
            readable.update(Partner.browse(batch)._filtered_access("read").ids)
        return readable

    @api.model
    def _with_readable_customers(self, partners):
        """This engine, knowing which of ``partners`` the user may read: the
        plan's messages are written row by row, the check is done once."""
        return self.with_context(
            crm_import_readable_ids=frozenset(self._readable_customer_ids(partners))
        )

    @api.model
    def _is_readable_customer(self, partner):
        # Set by _plan_import; a direct caller gets one check per customer.
        readable = self.env.context.get("crm_import_readable_ids")
        if isinstance(readable, frozenset):
            return partner.id in readable
        return partner.id in self._readable_customer_ids(partner)

    @api.model
    def _mass_trash_warning(self, trash_count, agent):
        """The warning for an import that would trash more of the agent's
        customers than ``import_max_trash_share`` percent or more than
        ``import_max_trash`` customers (a header-only or truncated file
        trashes them all), else an empty string. At most
        ``import_min_trash_guard`` customers are trashed without it."""
        limits = self._get_import_limits()
        if trash_count <= max(limits["min_trash_guard"], 0):
            return ""
        # sudo: the same customers _plan_trash counts, whoever imports.
        total = (
            self.env["res.partner"]
            .sudo()
            .search_count(self._agent_customer_domain(agent))
        )
        share = trash_count * 100 / total if total else 100
        if share <= limits["max_trash_share"] and trash_count <= limits["max_trash"]:
            return ""
        return self.env._(
            "Customers of %(agent)s this import would move to the trash: "
            "%(count)s (%(share)s%% of %(total)s), more than the limits allow "
            "(%(max_share)s%%, at most %(max_count)s). Check that the file is "
            "the complete list, then confirm the mass trash to import it.",
            count=trash_count,
            total=total,
            agent=agent.name,
            share=round(share),
            max_share=limits["max_trash_share"],
            max_count=limits["max_trash"],
        )

    @api.model
    def _lock_plan(self, plan):
        """Lock every customer the plan changes with the transfer engine's
        lock: an import racing another import or a transfer for one of them
        waits, then is replayed by Odoo on fresh data, instead of failing
        half-way in an UPDATE."""
        ids = set()
        for line in plan["lines"]:
            if line["action"] in ("update", "restore", "transfer", "trash"):
                ids.add(line["source_id"] or line["partner_id"])
        self.env["res.partner"].browse(sorted(ids))._lock_for_transfer()

    @api.model
    def _check_mass_trash(self, plan):
        """Refuse to apply a plan that trashes too many customers unless the
        user confirmed it (the wizard's confirm_mass_trash)."""
        if plan["mass_trash"] and not plan["options"]["confirm_mass_trash"]:
            raise UserError(
                self.env._(
                    "Nothing was imported. %(warning)s",
                    warning=plan["mass_trash"],
                )
            )

    @api.model
    def _mark_duplicates(self, rows, key_fields):
        """A key on several rows stops each of those rows."""
        checks = [("ref", self.env._("ERP Number"))]
        if key_fields != "external":
            checks.append(("id", self.env._("Odoo ID")))
        for key, label in checks:
            where = defaultdict(list)
            for row in rows:
                if row[key]:
                    where[row[key]].append(row["row"])
            for row in rows:
                numbers = where.get(row[key]) if row[key] else None
                if numbers and len(numbers) > 1:
                    self._add_error(
                        row,
                        self.env._(
                            "The %(key)s %(value)s appears on rows %(rows)s: keep "
                            "one row per customer.",
                            key=label,
                            value=row[key],
                            rows=", ".join(map(str, numbers)),
                        ),
                    )

    @staticmethod
    def _add_error(row, message):
        row["error"] = f"{row['error']} {message}".strip()

    @api.model
    def _match_rows(self, rows, key_fields, fnames, agent):
        """{row index: (kind, partners)} following LOOKUP_ORDER. By Odoo ID
        when the row has one (and the key allows it), else by ERP Number."""
        by_id = key_fields in ("internal", "both")
        by_ref = key_fields in ("external", "both")
        ids = [row["id"] for row in rows if by_id and row["id"]]
        refs = [
            row["ref"]
            for row in rows
            if by_ref and row["ref"] and not (by_id and row["id"])
        ]
        found_ids = self._find_by_keys("id", ids, fnames) if ids else {}
        found_refs = self._find_by_keys("external_ref", refs, fnames) if refs else {}
        readable_ids = self._readable_customer_ids(
            partner for partners in found_ids.values() for partner in partners
        )
        matches = {}
        for index, row in enumerate(rows):
            if by_id and row["id"]:
                kind, partners = self._lookup(found_ids.get(row["id"], []), agent)
                if kind == "none":
                    self._add_error(
                        row,
                        self.env._(
                            "No customer of the company has the Odoo ID %(id)s: "
                            "leave the id empty to create the customer.",
                            id=row["id"],
                        ),
                    )
                elif (
                    key_fields == "both"
                    and row["ref"]
                    and (partners[0].external_ref != row["ref"])
                ):
                    self._add_error(
                        row,
                        self.env._(
                            "The Odoo ID %(id)s and the ERP Number %(ref)s do "
                            "not name the same customer: correct the row.",
                            id=row["id"],
                            ref=row["ref"],
                        )
                        if partners[0].id not in readable_ids
                        else self.env._(
                            "Customer %(name)s (Odoo ID %(id)s) has the ERP "
                            "Number %(current)s, not %(ref)s: correct the row.",
                            name=partners[0].display_name,
                            id=row["id"],
                            current=partners[0].external_ref or "-",
                            ref=row["ref"],
                        ),
                    )
            elif by_ref and row["ref"]:
                kind, partners = self._lookup(found_refs.get(row["ref"], []), agent)
            elif by_ref and not by_id:
                self._add_error(
                    row,
                    self.env._(
                        "The row has no ERP Number: fill the external_ref "
                        "column, which identifies the customer."
                    ),
                )
                continue
            else:
                continue  # no key at all with the Odoo ID as key: a new customer
            matches[index] = (kind, partners)
        return matches

    @api.model
    def _plan_line(self, row, key, action, **values):
        """The values of a plan line (preview line, background log line):
        those of a line that changes nothing, then ``values``.
        ``final_ref`` is the ERP Number the agent's customer will have when
        it is new to the agent, checked against the one-per-salesperson
        rule."""
        return {
            "row": row,
            "key": key,
            "action": action,
            "partner_id": False,
            "source_id": False,
            "from_user_id": False,
            "from_trash": False,
            "message": False,
            "vals": {},
            "name": "",
            "changes": "",
            "final_ref": False,
            **values,
        }

    @api.model
    def _row_plan_line(self, row, action, **values):
        """The plan line of a row read from the file, with its read error."""
        return self._plan_line(
            row["row"],
            row["ref"] or (row["id"] and str(row["id"])) or "",
            action,
            message=row["error"],
            **values,
        )

    @api.model
    def _plan_row(self, row, match, agent, import_mode, transfer_mode):
        """One plan line: what happens to this row's customer, and the field
        values to write (only those that differ)."""
        kind, partners = match or ("none", [])
        # The name in the file; _describe_lines names matched customers.
        line = self._row_plan_line(row, "error", name=row["vals"].get("name") or "")
        if row["error"]:
            return line
        if kind in ("other", "other_trash") and len(partners) > 1:
            line["message"] = self.env._(
                "The key %(key)s belongs to customers of several salespeople "
                "(%(users)s): import with the Odoo ID as key, or trash the "
                "extra copies.",
                key=line["key"],
                users=", ".join(sorted({p.user_id.name for p in partners})),
            )
            return line
        partner = partners[0] if partners else None
        if kind == "own_archived":
            line["partner_id"] = partner.id
            line["message"] = self.env._(
                "Your customer %(name)s with this key is archived: unarchive it "
                "or remove the row.",
                name=partner.display_name,
            )
            return line
        if kind in ("own", "own_trash") and import_mode == "create":
            line["partner_id"] = partner.id
            line["message"] = (
                self.env._(
                    "%(name)s is already your customer: import in an update "
                    "mode to change it.",
                    name=partner.display_name,
                )
                if kind == "own"
                else self.env._(
                    "%(name)s is in your trash: import in an update mode to "
                    "restore it.",
                    name=partner.display_name,
                )
            )
            return line
        transfer = kind in ("other", "other_trash") and transfer_mode != "none"
        if kind in ("own", "own_trash") or transfer:
            line.update(
                partner_id=partner.id,
                from_trash=kind in ("own_trash", "other_trash"),
                vals=self._changed_values(partner, row["vals"]),
            )
            if kind == "own":
                line["action"] = "update" if line["vals"] else "unchanged"
                line["message"] = ""
            elif kind == "own_trash":
                line["action"] = "restore"
                line["message"] = self.env._("Restored from your trash.")
            else:
                line.update(
                    action="transfer",
                    source_id=partner.id,
                    from_user_id=partner.user_id.id,
                    message=self._transfer_message(partner, transfer_mode, kind),
                )
            line["final_ref"] = line["vals"].get("external_ref") or (
                kind not in ("own", "own_trash") and partner.external_ref
            )
            return line
        return self._plan_create(line, row, kind, partner, agent)

    def _transfer_message(self, partner, transfer_mode, kind):
        if transfer_mode == "move":
            if kind == "other_trash":
                return self.env._(
                    "Moved with its history from the trash of %(user)s.",
                    user=partner.user_id.name,
                )
            return self.env._(
                "Moved with its history from %(user)s.", user=partner.user_id.name
            )
        if kind == "other_trash":
            return self.env._(
                "Copied with its history from the trash of %(user)s, whose "
                "customer stays in the trash.",
                user=partner.user_id.name,
            )
        return self.env._(
            "Copied with its history from %(user)s, who keeps the customer.",
            user=partner.user_id.name,
        )

    @api.model
    def _plan_create(self, line, row, kind, partner, agent):
        vals = {key: value for key, value in row["vals"].items() if value}
        if not vals.get("name"):
            line["message"] = self.env._(
                "The row creates a new customer but has no name: fill the name column."
            )
            return line
        line.update(
            action="create",
            vals=vals,
            message="",
            final_ref=vals.get("external_ref", False),
        )
        if partner and not self._is_readable_customer(partner):
            line.update(
                from_user_id=partner.user_id.id,
                message=self.env._(
                    "Another salesperson (%(user)s) holds a customer with this "
                    "key: a new customer is created for %(agent)s without its "
                    "history.",
                    user=partner.user_id.name,
                    agent=agent.name,
                ),
            )
        elif partner:
            line.update(
                from_user_id=partner.user_id.id,
                message=self.env._(
                    "%(user)s has this customer (%(name)s): it is created anew "
                    "for %(agent)s without its history.",
                    user=partner.user_id.name,
                    name=partner.display_name,
                    agent=agent.name,
                ),
            )
        if partner:
            line["message"] += " " + self._without_history_fix()
        return line

    @api.model
    def _without_history_fix(self):
        """How to bring a customer's history along, for this user: only a
        user who may transfer customers can choose a transfer mode."""
        if self.env.user.has_group("crm_customer_ownership.group_customer_transfer"):
            return self.env._("Choose a transfer mode to bring the history along.")
        return self.env._(
            "To bring the history along, ask a user who may transfer customers "
            "to import this file."
        )

    @api.model
    def _changed_values(self, partner, vals):
        """The values that differ from the customer's; an empty name keeps
        the current one."""
        changes = {}
        for fname, value in vals.items():
            current = partner[fname]
            if fname == "country_id":
                current = current.id
            if fname == "name" and not value:
                continue
            if (current or False) != (value or False):
                changes[fname] = value
        return changes

    @api.model
    def _mark_same_target(self, lines):
        """Two rows must not update one customer (an Odoo ID on one row, its
        ERP Number on another)."""
        where = defaultdict(list)
        for line in lines:
            if line["action"] != "error" and line["partner_id"]:
                where[line["partner_id"]].append(line)
        for same in where.values():
            if len(same) > 1:
                rows = ", ".join(str(line["row"]) for line in same)
                for line in same:
                    line.update(
                        action="error",
                        message=self.env._(
                            "Rows %(rows)s all name the same customer: keep one "
                            "row per customer.",
                            rows=rows,
                        ),
                    )

    @api.model
    def _mark_ref_clashes(self, lines, agent):
        """An ERP Number is used once per salesperson (a database rule): a
        row that would give the agent a second customer with the same one
        stops before anything is written."""
        lines = [
            line for line in lines if line["final_ref"] and line["action"] != "error"
        ]
        if not lines:
            return
        rows_by_ref = defaultdict(list)
        for line in lines:
            rows_by_ref[line["final_ref"]].append(line["row"])
        holders = self._find_agent_refs(agent, list(rows_by_ref))
        readable_ids = self._readable_customer_ids(holders.values())
        for line in lines:
            ref = line["final_ref"]
            holder = holders.get(ref)
            if holder and holder.id not in (line["partner_id"], line["source_id"]):
                line.update(
                    action="error",
                    message=self.env._(
                        "The ERP Number %(ref)s already belongs to another "
                        "customer of %(agent)s: correct the row, or ask a sales "
                        "administrator to correct that customer.",
                        ref=ref,
                        agent=agent.name,
                    )
                    if holder.id not in readable_ids
                    else self.env._(
                        "The ERP Number %(ref)s already belongs to %(name)s of "
                        "%(agent)s: correct the row or that customer.",
                        ref=ref,
                        name=holder.display_name,
                        agent=agent.name,
                    ),
                )
            elif len(rows_by_ref[ref]) > 1:
                line.update(
                    action="error",
                    message=self.env._(
                        "Rows %(rows)s would all give %(agent)s a customer with "
                        "the ERP Number %(ref)s: keep one row per customer.",
                        rows=", ".join(map(str, rows_by_ref[ref])),
                        agent=agent.name,
                        ref=ref,
                    ),
                )

    @api.model
    def _mark_unreachable_sources(self, lines, transfer_mode):
        """A customer the user may not change (move) or read (copy) cannot be
        transferred: the transfer engine would refuse the whole import, so the
        preview shows which rows."""
        lines = [line for line in lines if line["action"] == "transfer"]
        if not lines:
            return
        sources = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .browse([line["source_id"] for line in lines])
        )
        operation = "write" if transfer_mode == "move" else "read"
        reachable = set(sources._filtered_access(operation).ids)
        readable = set(sources._filtered_access("read").ids)
        for line in lines:
            if line["source_id"] not in reachable:
                line.update(
                    action="error",
                    # The plan links no customer the user may not read.
                    partner_id=line["partner_id"]
                    if line["source_id"] in readable
                    else False,
                    message=self.env._(
                        "The customer %(key)s of %(user)s is out of your reach, "
                        "so it cannot be transferred: ask a sales administrator "
                        "to import this file.",
                        key=line["key"],
                        user=self.env["res.users"].browse(line["from_user_id"]).name,
                    ),
                )

    @api.model
    def _find_agent_refs(self, agent, refs):
        """{external ref: partner} among all the agent's partners, whatever
        their company, state or parent: the scope of the database rule."""
        # sudo: the rule covers partners the user may not see (another
        # company), and a clash there would fail the whole import.
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        holders = {}
        for batch in split_every(LOOKUP_BATCH, set(refs), list):
            partners = self._search_by_keys(
                Partner, [("user_id", "=", agent.id)], "external_ref", batch
            )
            partners.fetch(["external_ref", "display_name"])
            for partner in partners:
                holders[partner.external_ref] = partner
        return holders

    @api.model
    def _plan_trash(self, lines, agent):
        """Trash lines for the agent's customers the file no longer lists."""
        listed = {line["partner_id"] for line in lines if line["partner_id"]}
        # sudo: same reach as the lookup, so the plan does not depend on the
        # importing user's rules; trashing then checks the user's rights.
        absent = (
            self.env["res.partner"]
            .sudo()
            .search_fetch(
                self._agent_customer_domain(agent),
                ["external_ref"],
                order="id",
            )
            .filtered(lambda partner: partner.id not in listed)
        )
        message = self.env._("Not in the file: moved to the trash.")
        return [
            self._plan_line(
                0,
                # Its ERP Number or nothing: an Odoo id means nothing to
                # the people reading the plan.
                partner.external_ref or "",
                "trash",
                partner_id=partner.id,
                message=message,
            )
            for partner in absent
        ]

    # ------------------------------------------------------------------
    # Apply
    # ------------------------------------------------------------------

    @api.model
    def _apply_plan(self, plan, kinds=None):
        """Apply a plan in one savepoint: every row or none. ``kinds``: the
        kinds of linked records transferred customers bring (None: the
        company's default; empty: none).

        Fills each line's ``partner_id`` with the resulting customer and
        returns the import log.
        """
        self._check_plan_errors(plan)
        self._check_mass_trash(plan)
        self._lock_plan(plan)
        with self.env.cr.savepoint():
            self._apply_lines(plan["lines"], plan["options"], kinds)
            # Transfers turned into errors at apply time count as errors.
            plan["counts"] = self._count_lines(plan["lines"])
            log = self._log_import(plan, kinds)
        return log

    @api.model
    def _check_plan_errors(self, plan):
        """Refuse a plan with row errors before anything is written."""
        errors = [line for line in plan["lines"] if line["action"] == "error"]
        if errors:
            raise UserError(
                self.env._(
                    "Nothing was imported. Rows with errors: %(count)s "
                    "(%(errors)s). Correct the file and import it again.",
                    count=len(errors),
                    errors=self._first_problems(
                        [
                            self.env._(
                                "row %(row)s: %(message)s",
                                row=line["row"],
                                message=line["message"],
                            )
                            for line in errors[:MAX_PROBLEMS_SHOWN]
                        ],
                        total=len(errors),
                    ),
                )
            )

    @api.model
    def _apply_lines(self, lines, options, kinds=None):
        """Apply plan lines: the whole plan at once, or one chunk of it in the
        background. Lines of one plan name distinct customers, so any slice
        of a plan applies the same as the whole, in this order of actions."""
        by_action = defaultdict(list)
        for line in lines:
            by_action[line["action"]].append(line)
        Partner = self.env["res.partner"].with_context(tracking_disable=True)
        by_action["transfer"] = self._drop_stale_transfers(by_action["transfer"])
        Partner.browse(
            [line["partner_id"] for line in by_action["restore"]]
        ).action_restore()
        self._apply_transfers(by_action["transfer"], options, kinds)
        self._apply_creates(by_action["create"], options)
        self._apply_writes(
            by_action["update"] + by_action["restore"] + by_action["transfer"]
        )
        Partner.browse(
            [line["partner_id"] for line in by_action["trash"]]
        ).action_trash()

    @api.model
    def _drop_stale_transfers(self, lines):
        """The transfer lines whose customer is still held by the salesperson
        the plan took it from. A background import applies its plan long
        after planning it: a customer that changed hands since (or was
        deleted) is never taken from its new holder; its line becomes an
        error naming the customer and both holders. One lock and one query
        for all the lines."""
        if not lines:
            return lines
        sources = self.env["res.partner"].browse(
            sorted({line["source_id"] for line in lines})
        )
        # The transfer engine's lock, taken again by it: the holder read here
        # is the one the transfer will take the customer from.
        sources._lock_for_transfer()
        self.env.cr.execute(
            SQL(
                "SELECT id, user_id FROM res_partner WHERE id = ANY(%s)",
                sources.ids,
            )
        )
        holders = dict(self.env.cr.fetchall())
        fresh = []
        for line in lines:
            holder_id = holders.get(line["source_id"], 0)
            if (holder_id or False) == (line["from_user_id"] or False):
                fresh.append(line)
                continue
            # sudo: the holders' names, as the plan itself named the first.
            Users = self.env["res.users"].sudo()
            planned = Users.browse(line["from_user_id"]).name or self.env._("nobody")
            line["message"] = (
                self.env._(
                    "Customer %(name)s (key %(key)s) was planned to be taken "
                    "from %(planned)s, but %(holder)s holds it now, so it was "
                    "not transferred: import the row again to plan it anew.",
                    name=line.get("name") or line["key"],
                    key=line["key"],
                    planned=planned,
                    holder=Users.browse(holder_id).name or self.env._("nobody"),
                )
                if line["source_id"] in holders
                else self.env._(
                    "Customer %(name)s (key %(key)s) was planned to be taken "
                    "from %(planned)s, but it has been deleted since, so it was "
                    "not transferred: import the row again to plan it anew.",
                    name=line.get("name") or line["key"],
                    key=line["key"],
                    planned=planned,
                )
            )
            line["action"] = "error"
        return fresh

    @api.model
    def _apply_transfers(self, lines, options, kinds=None):
        """One engine call for every transferred customer, whoever owns it."""
        if not lines:
            return
        sources = self.env["res.partner"].browse([line["source_id"] for line in lines])
        result = sources._transfer_customers(
            options["agent"],
            mode=options["transfer_mode"],
            origin="import",
            kinds=kinds,
        )
        for line in lines:
            line["partner_id"] = result[line["source_id"]]["partner_id"]

    @api.model
    def _apply_creates(self, lines, options):
        """Batched creates; the cache is emptied between batches, which keeps
        a large import within a bounded memory."""
        Partner = self.env["res.partner"].with_context(tracking_disable=True)
        for batch in split_every(WRITE_BATCH, lines, list):
            partners = Partner.create(
                [
                    dict(
                        line["vals"],
                        user_id=options["agent"].id,
                        company_id=self.env.company.id,
                    )
                    for line in batch
                ]
            )
            for line, partner in zip(batch, partners, strict=True):
                line["partner_id"] = partner.id
            self.env.invalidate_all()

    @api.model
    def _apply_writes(self, lines):
        """One write per distinct set of values: the ORM flushes all of them
        in a few multi-row UPDATEs."""
        groups = defaultdict(list)
        for line in lines:
            if line["vals"]:
                groups[frozenset(line["vals"].items())].append(line["partner_id"])
        Partner = self.env["res.partner"].with_context(tracking_disable=True)
        for vals, ids in groups.items():
            Partner.browse(ids).write(dict(vals))

    @api.model
    def _action_imported_customers(self, log, partners):
        """The list of the customers the import of ``log`` created, changed,
        transferred or trashed, archived ones included. The log is the
        action's active id: the URL keeps it, and a reload finds the same
        customers through the action's own domain."""
        action = self.env["ir.actions.actions"]._for_xml_id(
            "crm_customer_ownership.res_partner_action_imported"
        )
        action["domain"] = [("id", "in", partners.ids)]
        action["context"] = {"active_test": False, "create": False, "active_id": log.id}
        return action

    @api.model
    def _log_import(self, plan, kinds):
        lines = plan["lines"]
        log = self.env["customer.import.log"]._create_log(
            plan["options"],
            kinds,
            line_count=len(lines),
            applied_line_count=len(lines),
            **self._count_vals(plan),
        )
        # The same rows, names and links as a background import's log: the
        # plan's lines, their customers the ones the import made or changed.
        self.env["customer.import.log.line"].sudo()._store(log, lines)
        return log

    # ------------------------------------------------------------------
    # Template
    # ------------------------------------------------------------------

    @api.model
    def _template_xlsx(self):
        """An XLSX with the expected header row and one example row."""
        book = Workbook(write_only=True)
        sheet = book.create_sheet(self.env._("Customers"))
        sheet.append(list(TEMPLATE_COLUMNS))
        sheet.append(
            [
                # An example no real ERP hands out, so importing the
                # template unchanged never touches a real customer.
                "EXAMPLE-0001",
                self.env._("Example Customer (replace this row)"),
                "office@customer.example.com",
                "+43 1 0000000",
                "",
                "Example Street 1",
                "",
                "1010",
                "Vienna",
                "AT",
                "",
            ]
        )
        stream = io.BytesIO()
        book.save(stream)
        return stream.getvalue()
