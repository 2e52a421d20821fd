from dataclasses import dataclass, field

import psycopg2

from odoo import api, models
from odoo.tools import SQL

from .query_plans import index_driven_plans

# Rows that only say "this partner is linked to that record". When the target
# already has the same link, the source's row is a duplicate: it is left on the
# source instead of failing the update (the merge keeps the source, archived,
# so an undo finds these rows where they were). Relation tables of many2many
# fields are treated the same way without being listed here. Key: (model, field); value:
# the columns that, together with the target, identify the duplicate.
DEDUPLICATE_ON = {
    ("mail.followers", "partner_id"): ("res_model", "res_id"),
    ("mail.followers", "res_id"): ("partner_id",),
    # Two attendances of one event by the same partner would invite it twice.
    ("calendar.attendee", "partner_id"): ("event_id",),
    # An account with the number the target already has is the same account.
    ("res.partner.bank", "partner_id"): ("sanitized_acc_number",),
}

# Rows of these (model, field) pairs only count when these columns are empty:
# an attachment with res_field is the value of a binary field of the source
# (its image), not a document linked to it, and is deleted with it.
REQUIRE_EMPTY = {
    ("ir.attachment", "res_id"): ("res_field",),
}

# Merge wizards point at the customers being merged; they must keep pointing
# at the source until it is deleted (and then go with it). Merge logs name the
# two customers of their merge for good: their undo depends on it.
EXCLUDED_MODELS = frozenset(
    {
        "customer.merge.wizard",
        "base.partner.merge.automatic.wizard",
        "base.partner.merge.line",
        "customer.merge.log",
        "customer.merge.log.line",
    }
)


@dataclass
class Reference:
    """One column that can hold an id of the referenced model.

    ``kind``: many2one (a plain foreign key, including many2many relation
    tables), res_id (an id next to a column holding the model name),
    reference (``'model,id'`` text) or company_dependent (jsonb per company).
    ``fields`` lists the ORM fields stored in the column as
    ``(model, field, owner)``: ``owner`` says where the records whose field
    changed are found in a moved row: ``id`` (the row itself), ``key`` (the
    first key column, the other side of a many2many) or ``target`` (the
    record the references now point to). ``creator``: for the columns of a
    transient model (a wizard), ``(its table, the column of the row that
    holds the wizard's id)``: only the current user's wizards are redirected.
    """

    kind: str
    table: str
    column: str
    model_column: str | None = None
    keys: tuple = ()
    require_empty: tuple = ()
    has_id: bool = False
    fields: list = field(default_factory=list)
    creator: tuple = ()

    @property
    def deduplicates(self):
        return bool(self.keys)


class ReferenceConflictError(Exception):
    """Moving a reference hit a constraint the move cannot resolve."""

    def __init__(self, reference, error):
        super().__init__(str(error))
        self.reference = reference
        self.error = error


class CustomerReferenceRedirect(models.AbstractModel):
    """Finds every column of the database that can point at a record of a
    given model, and points them at another record of that model in one SQL
    statement per column.

    Discovery reads the ORM registry (so modules installed later are covered
    without code changes) and then the PostgreSQL foreign-key catalogue for
    columns the ORM does not know.
    """

    _name = "customer.reference.redirect"
    _description = "Redirect References Between Records"

    # ------------------------------------------------------------------
    # Discovery
    # ------------------------------------------------------------------

    @api.model
    def _find_references(self, model_name, exclude_fields=()):
        """Every column that can hold an id of ``model_name``, sorted by table.

        :param exclude_fields: ``(model, field)`` pairs the caller handles itself
        """
        tables, excluded_tables = self._model_tables()
        found = {}
        for name in tables.values():
            Model = self.env.registry[name]
            for fld in Model._fields.values():
                if not fld.store or fld.inherited:
                    continue
                for kind, ref_table, column, owner, attrs in self._field_references(
                    Model, fld, model_name
                ):
                    if Model._transient:
                        # Another user's pending wizard (a transfer prepared
                        # for the merged customer) must not silently act on
                        # another customer: it keeps pointing where it did.
                        owner_column = (
                            "id" if ref_table == Model._table else attrs["keys"][0]
                        )
                        attrs = dict(attrs, creator=(Model._table, owner_column))
                    reference = found.get((ref_table, column))
                    if reference is None:
                        reference = found[(ref_table, column)] = Reference(
                            kind, ref_table, column, has_id=ref_table in tables, **attrs
                        )
                    elif attrs.get("keys") and not reference.keys:
                        # A model's table that is also a many2many relation
                        # (mail_notification, discuss_channel_member) holds links.
                        reference.keys = attrs["keys"]
                    reference.fields.append((name, fld.name, owner))

        target_table = self.env[model_name]._table
        for table, column in self._foreign_keys_to(target_table):
            if (table, column) not in found and table not in excluded_tables:
                found[(table, column)] = Reference("many2one", table, column)

        return [
            reference
            for _key, reference in sorted(found.items())
            if not any((m, f) in exclude_fields for m, f, _owner in reference.fields)
        ]

    @api.model
    def _model_tables(self):
        """({table: model} of the models whose rows may be redirected,
        tables that must not be touched)."""
        tables, excluded = {}, set()
        for name in self.env.registry:
            Model = self.env.registry[name]
            if Model._abstract:
                continue
            if name in EXCLUDED_MODELS or not Model._auto:
                # Merge wizards, and SQL views that cannot be updated.
                excluded.add(Model._table)
                excluded.update(
                    fld.relation
                    for fld in Model._fields.values()
                    if fld.type == "many2many" and fld.store
                )
                continue
            tables[Model._table] = name
        return tables, excluded

    @api.model
    def _field_references(self, Model, fld, model_name):
        """The columns through which stored field ``fld`` can point at a
        record of ``model_name``, as (kind, table, column, owner, attrs)."""
        key = (Model._name, fld.name)
        if fld.type == "many2one" and fld.comodel_name == model_name:
            kind = "company_dependent" if fld.company_dependent else "many2one"
            keys = DEDUPLICATE_ON.get(key, ())
            return [(kind, Model._table, fld.name, "id", {"keys": keys})]
        if fld.type == "many2many":
            references = []
            if fld.comodel_name == model_name:
                attrs = {"keys": (fld.column1,)}
                references.append(("many2one", fld.relation, fld.column2, "key", attrs))
            if Model._name == model_name:
                attrs = {"keys": (fld.column2,)}
                references.append(
                    ("many2one", fld.relation, fld.column1, "target", attrs)
                )
            return references
        if fld.type == "reference":
            return [("reference", Model._table, fld.name, "id", {})]
        if self._is_res_id_field(Model, fld):
            attrs = {
                "model_column": fld.model_field
                if fld.type == "many2one_reference"
                else "res_model",
                "keys": DEDUPLICATE_ON.get(key, ()),
                "require_empty": REQUIRE_EMPTY.get(key, ()),
            }
            return [("res_id", Model._table, fld.name, "id", attrs)]
        return []

    @api.model
    def _is_res_id_field(self, Model, fld):
        """Whether ``fld`` holds a record id whose model is named by a stored
        character column of the same row (res_model/res_id pairs)."""
        if fld.type == "many2one_reference":
            model_field = Model._fields.get(fld.model_field)
        elif fld.type == "integer" and fld.name == "res_id":
            model_field = Model._fields.get("res_model")
        else:
            return False
        return bool(
            model_field
            and model_field.store
            and model_field.type in ("char", "selection")
        )

    @api.model
    def _foreign_keys_to(self, table):
        """(table, column) of every single-column foreign key to ``table``."""
        self.env.cr.execute(
            SQL(
                """
                SELECT src.relname, att.attname
                  FROM pg_constraint con
                  JOIN pg_class src ON src.oid = con.conrelid
                  JOIN pg_class dst ON dst.oid = con.confrelid
                  JOIN pg_attribute att
                    ON att.attrelid = con.conrelid AND att.attnum = con.conkey[1]
                 WHERE con.contype = 'f'
                   AND dst.relname = %s
                   AND array_length(con.conkey, 1) = 1
                """,
                table,
            )
        )
        return self.env.cr.fetchall()

    # ------------------------------------------------------------------
    # SQL building blocks
    # ------------------------------------------------------------------

    @api.model
    def _sql_points_at(self, reference, alias, model_name, record_id):
        """Condition: row ``alias`` of the reference's table points at
        ``record_id`` (an SQL expression)."""
        condition = SQL(
            "%s = %s",
            SQL.identifier(alias, reference.column),
            self._sql_value(reference, model_name, record_id),
        )
        if reference.model_column:
            condition = SQL(
                "%s AND %s = %s",
                condition,
                SQL.identifier(alias, reference.model_column),
                model_name,
            )
        return condition

    @api.model
    def _sql_held_links(self, reference, model_name, holder, mapping=None):
        """(WITH clause, condition): the condition says that ``holder`` (an
        SQL expression, say ``m.dst`` with ``mapping`` joined as ``m``)
        already has the link row ``t`` carries.

        The holder's links are read once, into a materialised table looked
        up in memory. Probed per row instead, PostgreSQL without statistics
        (fresh data) read the holder's whole index range for every row, and
        after a merge the dead entries it left there too.
        """
        keys = [SQL.identifier("d", key) for key in reference.keys]
        held = SQL(
            "WITH held AS MATERIALIZED (SELECT %s AS holder, %s FROM %s AS d%s "
            "WHERE %s) ",
            holder,
            SQL(", ").join(keys),
            SQL.identifier(reference.table),
            SQL(", %s", mapping) if mapping is not None else SQL(),
            self._sql_points_at(reference, "d", model_name, holder),
        )
        condition = SQL(
            "EXISTS (SELECT 1 FROM held WHERE held.holder = %s AND %s)",
            holder,
            SQL(" AND ").join(
                SQL("%s = %s", SQL.identifier("held", key), SQL.identifier("t", key))
                for key in reference.keys
            ),
        )
        return held, condition

    @api.model
    def _sql_mapping(self, mapping):
        if len(mapping) == 1:
            # One merge: a row of constants, which PostgreSQL folds into the
            # statement, so the rows pointing at the source are found by the
            # column's index. Joined with unnest() instead, a table believed
            # empty (vacuumed while empty, then loaded) was read whole.
            [(source, target)] = mapping.items()
            return SQL("(SELECT %s::int AS src, %s::int AS dst) AS m", source, target)
        return SQL(
            "unnest(%s::int[], %s::int[]) AS m(src, dst)",
            list(mapping),
            list(mapping.values()),
        )

    @api.model
    def _sql_returning(self, reference, with_source=True):
        """The columns identifying a row of the reference's table, and with
        ``with_source`` the source it pointed at (``src``)."""
        columns = [SQL("t.id")] if reference.has_id else []
        columns += [SQL.identifier("t", key) for key in reference.keys]
        if with_source:
            columns.append(SQL("m.src AS src"))
        return SQL(", ").join(columns or [SQL("1 AS one")])

    # ------------------------------------------------------------------
    # Counting and redirecting
    # ------------------------------------------------------------------

    @api.model
    def _count_references(self, references, model_name, mapping):
        """{reference index: (rows pointing at a source, of which the target
        already has)}. ``mapping`` is {source id: target id}; a target id of
        0 counts without looking for duplicates."""
        columns = dict.fromkeys(range(len(references)))
        return {
            index: (count, dup)
            for index, count, dup in self._pointing_rows(
                references, model_name, mapping, columns
            )
        }

    @api.model
    def _pointing_rows(self, references, model_name, mapping, columns):
        """One query over the rows of ``references`` that point at a source
        of ``mapping``, for the reference indexes of ``columns``: rows
        ``(index, value, duplicate)`` with ``value`` the row's column
        ``columns[index]``, or for a column of None one row ``(index, count,
        duplicates)``."""
        if not columns:
            return []
        self.env.flush_all()
        selects = []
        for index, column in columns.items():
            reference = references[index]
            if reference.kind == "company_dependent":
                held, duplicate = SQL(), SQL("false")
                source = SQL("%s AS t", SQL.identifier(reference.table))
                where = self._sql_company_dependent_rows(reference, mapping)
            else:
                held, where, duplicate = self._sql_pointing(
                    reference, model_name, mapping
                )
                source = SQL(
                    "%s AS t, %s",
                    SQL.identifier(reference.table),
                    self._sql_mapping(mapping),
                )
            if column is None:
                values = SQL("count(*), count(*) FILTER (WHERE %s)", duplicate)
            else:
                values = SQL("%s, %s", SQL.identifier("t", column), duplicate)
            selects.append(
                SQL(
                    "(%sSELECT %s, %s FROM %s WHERE %s)",
                    held,
                    index,
                    values,
                    source,
                    where,
                )
            )
        with index_driven_plans(self.env):
            self.env.cr.execute(SQL(" UNION ALL ").join(selects))
            return self.env.cr.fetchall()

    @api.model
    def _sql_pointing(self, reference, model_name, mapping):
        """(WITH clause, condition, duplicate) on row ``t`` joined with
        mapping ``m``: the row points at a source and is to be redirected;
        ``duplicate``: the target already has this link (false where links
        are not deduplicated)."""
        conditions = [self._sql_points_at(reference, "t", model_name, SQL("m.src"))]
        conditions += [
            SQL("%s IS NULL", SQL.identifier("t", column))
            for column in reference.require_empty
        ]
        if reference.creator == (reference.table, "id"):
            # The wizard's own row says who created it: no lookup per row.
            conditions.append(SQL("t.create_uid = %s", self.env.uid))
        elif reference.creator:
            table, column = reference.creator
            conditions.append(
                SQL(
                    "EXISTS (SELECT 1 FROM %s AS w WHERE w.id = %s AND "
                    "w.create_uid = %s)",
                    SQL.identifier(table),
                    SQL.identifier("t", column),
                    self.env.uid,
                )
            )
        if reference.has_id and reference.table == self.env[model_name]._table:
            # The source's own row dies with it; rewriting it is pointless.
            conditions.append(SQL("t.id <> ALL(%s)", list(mapping)))
        where = SQL(" AND ").join(conditions)
        if not reference.deduplicates:
            return SQL(), where, SQL("false")
        held, duplicate = self._sql_held_links(
            reference, model_name, SQL("m.dst"), self._sql_mapping(mapping)
        )
        return held, where, duplicate

    @api.model
    def _redirect_references(self, references, model_name, mapping):
        """Point every reference to a source of ``mapping`` ({source id:
        target id}) at its target, one statement per column; a link the
        target already has stays on its source (deduplicating references
        only).

        Runs in the caller's transaction: the caller wraps it in a savepoint
        so that a ``ReferenceConflictError`` leaves nothing changed.
        Returns {reference index: {"moved": rows, "dropped": rows}}, rows as
        dicts of the RETURNING columns (id and key columns; for
        company-dependent values also ``companies``, the keys that changed),
        and under "defaults" the ids of the ``ir.default`` rows redirected.
        """
        self.env.flush_all()
        results = {}
        with index_driven_plans(self.env):
            for index, reference in enumerate(references):
                try:
                    if reference.kind == "company_dependent":
                        moved = self._redirect_company_dependent(reference, mapping)
                        dropped = []
                    else:
                        moved, dropped = self._redirect_column(
                            reference, model_name, mapping
                        )
                except psycopg2.IntegrityError as error:
                    raise ReferenceConflictError(reference, error) from error
                results[index] = {"moved": moved, "dropped": dropped}
            results["defaults"] = self._redirect_defaults(model_name, mapping)
        self._recompute_after_redirect(references, results, mapping)
        return results

    @api.model
    def _redirect_column(self, reference, model_name, mapping):
        cr = self.env.cr
        held, source_rows, target_has_it = self._sql_pointing(
            reference, model_name, mapping
        )
        cr.execute(
            SQL(
                "%sUPDATE %s AS t SET %s = %s FROM %s WHERE %s AND NOT %s RETURNING %s",
                held,
                SQL.identifier(reference.table),
                SQL.identifier(reference.column),
                self._sql_value(reference, model_name, SQL("m.dst")),
                self._sql_mapping(mapping),
                source_rows,
                target_has_it,
                self._sql_returning(reference),
            )
        )
        moved = cr.dictfetchall()
        if not reference.deduplicates:
            return moved, []
        # What still points at a source is exactly what the target had.
        cr.execute(
            SQL(
                "SELECT %s FROM %s AS t, %s WHERE %s",
                self._sql_returning(reference),
                SQL.identifier(reference.table),
                self._sql_mapping(mapping),
                source_rows,
            )
        )
        return moved, cr.dictfetchall()

    @api.model
    def _sql_company_dependent_rows(self, reference, mapping):
        column = SQL.identifier("t", reference.column)
        return SQL(
            "%s IS NOT NULL AND EXISTS (SELECT 1 FROM jsonb_each(%s) AS e "
            "WHERE e.value IN (SELECT to_jsonb(s.id) FROM unnest(%s::int[]) AS s(id)))",
            column,
            column,
            list(mapping),
        )

    @api.model
    def _redirect_company_dependent(self, reference, mapping):
        """Rows as {"id", "companies"}: {company key: source} of the values
        that moved, so that an undo puts back exactly those."""
        column = SQL.identifier("t", reference.column)
        self.env.cr.execute(
            SQL(
                """
                WITH old AS (
                    SELECT t.id, jsonb_object_agg(e.key, m.src) AS companies
                      FROM %(table)s AS t, jsonb_each(%(qualified)s) AS e,
                           %(mapping)s
                     WHERE %(rows)s AND e.value = to_jsonb(m.src)
                     GROUP BY t.id)
                UPDATE %(table)s AS t
                   SET %(column)s = (
                         SELECT jsonb_object_agg(
                                    e.key, COALESCE(to_jsonb(m.dst), e.value))
                           FROM jsonb_each(%(qualified)s) AS e
                           LEFT JOIN %(mapping)s ON e.value = to_jsonb(m.src))
                  FROM old
                 WHERE t.id = old.id
             RETURNING t.id, old.companies
                """,
                table=SQL.identifier(reference.table),
                column=SQL.identifier(reference.column),
                qualified=column,
                mapping=self._sql_mapping(mapping),
                rows=self._sql_company_dependent_rows(reference, mapping),
            )
        )
        return self.env.cr.dictfetchall()

    @api.model
    def _redirect_defaults(self, model_name, mapping):
        """Default values (ir.default) of many2one fields to ``model_name``;
        returns the rows changed as {"id", "src"}."""
        self.env.cr.execute(
            SQL(
                """
                UPDATE ir_default AS d
                   SET json_value = m.dst::text
                  FROM %s, ir_model_fields AS f
                 WHERE f.id = d.field_id
                   AND f.ttype = 'many2one'
                   AND f.relation = %s
                   AND d.json_value = m.src::text
             RETURNING d.id, m.src AS src
                """,
                self._sql_mapping(mapping),
                model_name,
            )
        )
        return self.env.cr.dictfetchall()

    @api.model
    def _changed_records(self, references, results, mapping, which=("moved",)):
        """{(model, field): ids of the records whose field changed} from the
        rows of ``results`` listed in ``which`` ("moved", "dropped")."""
        changed = {}
        for index, reference in enumerate(references):
            rows = [row for key in which for row in results[index][key]]
            if not rows:
                continue
            for model, fname, owner in reference.fields:
                if owner == "id":
                    ids = {row["id"] for row in rows}
                elif owner == "key":
                    ids = {row[reference.keys[0]] for row in rows}
                else:
                    ids = set(mapping.values())
                changed.setdefault((model, fname), set()).update(ids)
        return changed

    @api.model
    def _recompute_after_redirect(self, references, results, mapping):
        """Tell the ORM what changed behind its back, so that the read-only
        fields derived from the moved ones (a moved contact's commercial
        entity, a visit report's company, an activity's document name) are
        recomputed as if the moved fields had been written.

        Editable computed fields (an opportunity's email, phone or address)
        were only initialised from the old record and have been the
        document's own data since: they keep their values, as with Odoo's own
        merge, and so does everything computed from them alone.
        """
        self.env.invalidate_all(flush=False)
        changed = self._changed_records(references, results, mapping)
        for (model, fname), ids in changed.items():
            # sudo: dependents must be found whatever the user may read.
            self.env[model].sudo().browse(sorted(ids)).modified([fname])
        # Nothing else was pending: the caller flushed before redirecting.
        for fld in self._computations_to_skip(set(changed)):
            self.env.remove_to_compute(fld, self.env.records_to_compute(fld))
        self.env.flush_all()

    @api.model
    def _computations_to_skip(self, changed):
        """The pending computations whose values cannot have changed: the
        editable fields, and the read-only fields depending only on fields
        of the same record that neither moved nor get recomputed. Anything
        depending on another record (a dotted path) is kept, to be safe."""
        pending = list(self.env.fields_to_compute())
        skip = {fld for fld in pending if not fld.readonly}
        undecided = set(pending) - skip
        touched = set(changed)
        kept = True
        while kept:
            kept = {
                fld
                for fld in undecided
                if any(
                    "." in dep or (fld.model_name, dep) in touched
                    for dep in self.env.registry.field_depends[fld]
                )
            }
            undecided -= kept
            touched |= {(fld.model_name, fld.name) for fld in kept}
        return skip | undecided

    # ------------------------------------------------------------------
    # Moving logged rows back (undo of a redirect)
    # ------------------------------------------------------------------

    @api.model
    def _move_back(self, reference, model_name, source_id, target_id, rows, keys=()):
        """Point the rows a redirect moved from ``source_id`` to
        ``target_id`` back at ``source_id``, those that still point at the
        target; one statement, driven from the given ids through the
        table's primary key (or relation key), whatever the statistics.

        :param rows: the moved rows' ids, or for relation tables without id
            their first key column's values
        :param keys: company-dependent values only: the company of each row
        :returns: the rows moved back, as dicts like ``_redirect_references``
            returns them (a row the source meanwhile has again stays)
        """
        if not rows:
            return []
        if reference.kind == "company_dependent":
            return self._move_back_company_dependent(
                reference, source_id, target_id, rows, keys
            )
        table = SQL.identifier(reference.table)
        # "= ANY(ids)": whichever index PostgreSQL starts from, the ids of a
        # constant array are checked through a hash, never row by id.
        driver = SQL(
            "%s = ANY(%s::int[])",
            SQL.identifier("t", "id" if reference.has_id else reference.keys[0]),
            list(rows),
        )
        conditions = [
            driver,
            self._sql_points_at(reference, "t", model_name, SQL("%s", target_id)),
        ]
        source_has = SQL()
        if reference.deduplicates:
            # A link the source has again stays on the target.
            source_has, has_it = self._sql_held_links(
                reference, model_name, SQL("%s::int", source_id)
            )
            conditions.append(SQL("NOT %s", has_it))
        self.env.cr.execute(
            SQL(
                "%sUPDATE %s AS t SET %s = %s WHERE %s RETURNING %s",
                source_has,
                table,
                SQL.identifier(reference.column),
                self._sql_value(reference, model_name, source_id),
                SQL(" AND ").join(conditions),
                self._sql_returning(reference, with_source=False),
            )
        )
        return self.env.cr.dictfetchall()

    @api.model
    def _move_back_columns(self, moves, model_name, source_id, target_id):
        """``_move_back`` for several columns of one table at once, plain
        links of rows with an id (no duplicate check, no company-dependent
        value): one statement, so that a row moved back through two columns
        (a contact's company and commercial entity) gets one new version and
        one set of index entries instead of one per column.

        :param moves: [(reference, ids of the rows moved through it)]
        :returns: [rows moved back, as ``_move_back`` returns them] per move
        """
        table = SQL.identifier(moves[0][0].table)
        ids = sorted({row_id for _reference, rows in moves for row_id in rows})
        flags, assignments = [], []
        for index, (reference, rows) in enumerate(moves):
            flag = SQL.identifier(f"back_{index}")
            column = SQL.identifier(reference.column)
            flags.append(
                SQL(
                    "(o.id = ANY(%s::int[]) AND %s) AS %s",
                    list(rows),
                    self._sql_points_at(
                        reference, "o", model_name, SQL("%s", target_id)
                    ),
                    flag,
                )
            )
            assignments.append(
                SQL(
                    "%s = CASE WHEN f.%s THEN %s ELSE t.%s END",
                    column,
                    flag,
                    self._sql_value(reference, model_name, source_id),
                    column,
                )
            )
        names = [SQL.identifier(f"back_{index}") for index in range(len(moves))]
        self.env.cr.execute(
            SQL(
                """
                UPDATE %(table)s AS t SET %(assignments)s
                  FROM (SELECT o.id, %(flags)s FROM %(table)s AS o
                         WHERE o.id = ANY(%(ids)s::int[])) AS f
                 WHERE t.id = ANY(%(ids)s::int[]) AND t.id = f.id AND (%(any)s)
             RETURNING t.id, %(returned)s
                """,
                table=table,
                assignments=SQL(", ").join(assignments),
                flags=SQL(", ").join(flags),
                ids=ids,
                any=SQL(" OR ").join(SQL("f.%s", name) for name in names),
                returned=SQL(", ").join(SQL("f.%s", name) for name in names),
            )
        )
        moved = self.env.cr.fetchall()
        return [
            [{"id": row[0]} for row in moved if row[index + 1]]
            for index in range(len(moves))
        ]

    @api.model
    def _sql_value(self, reference, model_name, record_id):
        """The value of the reference's column that points at ``record_id``
        (an id or an SQL expression)."""
        if reference.kind == "reference":
            return SQL("concat(%s, ',', %s::int)", model_name, record_id)
        return SQL("%s", record_id)

    @api.model
    def _move_back_company_dependent(self, reference, source_id, target_id, rows, keys):
        column = SQL.identifier("t", reference.column)
        self.env.cr.execute(
            SQL(
                """
                WITH back AS (
                    SELECT u.id, jsonb_object_agg(u.company, to_jsonb(%(src)s::int))
                                 AS vals
                      FROM unnest(%(ids)s::int[], %(companies)s::text[])
                                AS u(id, company)
                      JOIN %(table)s AS t ON t.id = u.id
                     WHERE %(column)s -> u.company = to_jsonb(%(dst)s::int)
                     GROUP BY u.id)
                UPDATE %(table)s AS t
                   SET %(name)s = %(column)s || back.vals
                  FROM back
                 WHERE t.id = back.id
             RETURNING t.id
                """,
                table=SQL.identifier(reference.table),
                name=SQL.identifier(reference.column),
                column=column,
                src=source_id,
                dst=target_id,
                ids=list(rows),
                companies=[str(key) for key in keys],
            )
        )
        return self.env.cr.dictfetchall()

    @api.model
    def _move_back_defaults(self, source_id, target_id, ids):
        """The ``ir.default`` rows of ``ids`` that still hold the target."""
        if not ids:
            return []
        self.env.cr.execute(
            SQL(
                """
                UPDATE ir_default AS d
                   SET json_value = %s
                  FROM unnest(%s::int[]) AS u(id)
                 WHERE d.id = u.id AND d.json_value = %s
             RETURNING d.id
                """,
                str(source_id),
                list(ids),
                str(target_id),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]
