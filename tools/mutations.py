# ruff: noqa: E501 (snippets are code lines, kept whole to be found exactly)
"""The mutants tools/mutation_check.py puts into the code, one at a time.

Each is a small, realistic bug: ``file`` (relative to the module root) holds
``original`` exactly once; ``replacement`` is the bug; ``tests`` are the
pytest node ids (relative to the module root) that must fail with it.
``rule`` names the rule of the module it breaks (tests/README.md).
"""

T = "tests/"
EDGE_STATES = T + "test_edge_states.py::"
EDGE_LIMITS = T + "test_edge_limits.py::"
GAPS = T + "test_edge_states_gaps.py::"
BACKGROUND = T + "test_customer_import_background.py::TestCustomerImportBackground::"

MUTATIONS = [
    # -- merge -------------------------------------------------------------
    {
        "id": "merge-archived-company-partner",
        "rule": "merge",
        "file": "models/res_partner_merge.py",
        "original": (
            "            .sudo()\n"
            "            .with_context(active_test=False)\n"
            '            .search([("partner_id", "=", self.id)])\n'
        ),
        "replacement": (
            '            .sudo()\n            .search([("partner_id", "=", self.id)])\n'
        ),
        "tests": [EDGE_STATES + "TestArchivedCompanyPartnerIsNotMergedAway"],
    },
    {
        "id": "merge-trashed-target-allowed",
        "rule": "merge",
        "file": "models/res_partner_merge.py",
        "original": "        for partner in self | target:\n            if partner.trashed_at:",
        "replacement": "        for partner in self:\n            if partner.trashed_at:",
        "tests": [
            T + "test_customer_merge_rules.py::TestCustomerMergeRules::"
            "test_customer_in_the_trash_refused_both_ways"
        ],
    },
    {
        "id": "merge-other-company-allowed",
        "rule": "merge",
        "file": "models/res_partner_merge.py",
        "original": "        if self.company_id != target.company_id:",
        "replacement": "        if self.company_id == target.company_id and False:",
        "tests": [
            T + "test_customer_merge_rules.py::TestCustomerMergeRules::"
            "test_customers_of_different_companies_refused"
        ],
    },
    {
        "id": "merge-retention-boundary",
        "rule": "purge",
        "file": "models/res_partner_trash.py",
        "original": '            ("merged_at", "<", limit),',
        "replacement": '            ("merged_at", "<=", limit),',
        "tests": [EDGE_LIMITS + "TestMergeRetentionBoundary"],
    },
    # -- undo --------------------------------------------------------------
    {
        "id": "undo-expired-kept-customer",
        "rule": "undo",
        "file": "models/customer_merge_log.py",
        "original": '        if self.state == "expired" or not source:',
        "replacement": "        if not source:",
        "tests": [EDGE_STATES + "TestExpiredMergeStaysExpired"],
    },
    {
        "id": "undo-keep-as-archived-not-expired",
        "rule": "undo",
        "file": "models/res_partner_merge.py",
        "original": (
            '                [("source_partner_id", "in", merged.ids), '
            '("state", "=", "done")]\n'
            '            ).write({"state": "expired"})'
        ),
        "replacement": (
            '                [("source_partner_id", "in", merged.ids), '
            '("state", "=", "done")]\n'
            "            )"
        ),
        "tests": [EDGE_STATES + "TestExpiredMergeStaysExpired"],
    },
    {
        "id": "undo-twice",
        "rule": "undo",
        "file": "models/customer_merge_log.py",
        "original": '        if self.state == "undone":',
        "replacement": '        if self.state == "undone" and False:',
        "tests": [
            T + "test_customer_merge_undo.py::TestCustomerMergeUndo::"
            "test_second_undo_refused"
        ],
    },
    {
        "id": "undo-into-trashed-target",
        "rule": "undo",
        "file": "models/customer_merge_log.py",
        "original": "        if target.trashed_at:\n            raise UserError(",
        "replacement": "        if target.trashed_at and False:\n            raise UserError(",
        "tests": [
            T + "test_customer_merge_undo.py::TestCustomerMergeUndo::"
            "test_undo_into_a_trashed_customer_refused"
        ],
    },
    {
        "id": "undo-without-merge-right",
        "rule": "undo",
        "file": "models/customer_merge_log.py",
        "original": "        source._check_merge_permission(target)\n",
        "replacement": "",
        "tests": [
            T + "test_customer_merge_undo.py::TestCustomerMergeUndo::"
            "test_user_who_may_not_merge_them_refused"
        ],
    },
    # -- delete / history ----------------------------------------------------
    {
        "id": "delete-history-active-only",
        "rule": "trash",
        "file": "models/res_partner_trash.py",
        "original": "        history = self._ownership_customers()._get_history()",
        "replacement": (
            '        history = self._ownership_customers().filtered("active")'
            "._get_history()"
        ),
        "tests": [EDGE_STATES + "TestHistoryKeepsEveryStateFromDelete"],
    },
    # -- trash / restore / purge -------------------------------------------
    {
        "id": "trash-retention-boundary",
        "rule": "purge",
        "file": "models/res_partner_trash.py",
        "original": '            ("trashed_at", "<", limit),',
        "replacement": '            ("trashed_at", "<=", limit),',
        "tests": [
            T + "test_transfer_rules.py::TestPurgeRetention::test_fourteen_day_boundary"
        ],
    },
    {
        "id": "trash-others-need-write-only",
        "rule": "trash",
        "file": "models/res_partner_trash.py",
        "original": '            others.check_access("unlink")',
        "replacement": '            others.check_access("write")',
        "tests": [T + "test_security_trash.py::TestTrashNeedsWhatDeletingNeeds"],
    },
    {
        "id": "restore-leaves-records-hidden",
        "rule": "restore",
        "file": "models/res_partner_trash.py",
        "original": (
            "        partners._set_linked_records_hidden(False)\n"
            "        with ownership_workflow():\n"
            "            partners.write(\n"
            '                {"active": True'
        ),
        "replacement": (
            "        with ownership_workflow():\n"
            "            partners.write(\n"
            '                {"active": True'
        ),
        "tests": [
            T + "test_trash.py::TestTrash::"
            "test_trash_and_restore_round_trip_keeps_everything"
        ],
    },
    {
        "id": "purge-deletes-referenced",
        "rule": "purge",
        "file": "models/res_partner_trash.py",
        "original": "        to_delete = self - kept\n",
        "replacement": "        to_delete = self\n",
        "tests": [
            T + "test_trash.py::TestTrash::"
            "test_purge_spares_customer_referenced_by_business_document",
            EDGE_STATES + "TestExpiredMergeStaysExpired",
        ],
    },
    {
        "id": "engine-fields-for-settings-admins",
        "rule": "trash",
        "file": "models/customer_engine_guard.py",
        "original": "        if in_ownership_workflow():\n            return\n",
        "replacement": "        if in_ownership_workflow() or self.env.user.has_group(\n"
        '            "base.group_system"\n'
        "        ):\n            return\n",
        "tests": [T + "test_security_trash.py::TestTrashFieldsOnlyByTheTrash"],
    },
    # -- transfer ------------------------------------------------------------
    {
        "id": "transfer-left-behind-copy-active",
        "rule": "transfer",
        "file": "models/res_partner_transfer.py",
        "original": "                external_ref=False,\n                active=False,\n",
        "replacement": "                external_ref=False,\n                active=True,\n",
        "tests": [EDGE_STATES + "TestLeftBehindCopyIsArchived"],
    },
    {
        "id": "transfer-right-not-checked",
        "rule": "transfer",
        "file": "models/res_partner_transfer.py",
        "original": (
            "        if not self.env.su and not self.env.user.has_group(TRANSFER_GROUP):"
        ),
        "replacement": "        if False:",
        "tests": [
            T + "test_transfer.py::TestTransferRules::"
            "test_salesperson_without_transfer_right_is_refused_by_the_engine"
        ],
    },
    {
        "id": "clear-salesperson-wrong-right",
        "rule": "transfer",
        "file": "models/res_partner_security.py",
        "original": "            if not self.env.user.has_group(TRANSFER_GROUP):",
        "replacement": (
            '            if not self.env.user.has_group("base.group_partner_manager"):'
        ),
        "tests": [EDGE_STATES + "TestClearingTheSalesperson"],
    },
    {
        "id": "transfer-unarchives-archived-customer",
        "rule": "transfer",
        "file": "models/res_partner_transfer.py",
        "original": (
            '            {"user_id": target_user.id}\n'
            "        )\n"
            "        return {partner.id: partner.id"
        ),
        "replacement": (
            '            {"user_id": target_user.id, "active": True}\n'
            "        )\n"
            "        return {partner.id: partner.id"
        ),
        "tests": [GAPS + "TestTransferOfAnArchivedCustomer"],
    },
    {
        "id": "clear-salesperson-of-merged",
        "rule": "transfer",
        "file": "models/res_partner_security.py",
        "original": "            changing._check_not_merged()\n",
        "replacement": "",
        "tests": [
            GAPS + "TestSalespersonChangeOfAMergedCustomer::"
            "test_clearing_the_salesperson_refused"
        ],
    },
    {
        "id": "trash-twice-restarts-the-clock",
        "rule": "trash",
        "file": "models/res_partner_trash.py",
        "original": "        partners = self.filtered(lambda partner: not partner.trashed_at)\n",
        "replacement": "        partners = self\n",
        "tests": [GAPS + "TestTrashingTwice"],
    },
    {
        "id": "expired-merge-restorable",
        "rule": "restore",
        "file": "models/res_partner_merge.py",
        "original": (
            '        merged = self.with_context(active_test=False).filtered("merged_into_id")\n'
            "        if merged:\n"
            "            raise UserError("
        ),
        "replacement": (
            '        merged = self.with_context(active_test=False).filtered("merged_at")\n'
            "        if merged:\n"
            "            raise UserError("
        ),
        "tests": [
            GAPS
            + "TestExpiredMergeIsOutOfPlay::test_restore_unarchive_and_trash_refused"
        ],
    },
    # -- import lookup -------------------------------------------------------
    {
        "id": "lookup-other-agents-archived",
        "rule": "import lookup",
        "file": "models/customer_import.py",
        "original": "                continue  # archived by another salesperson: out of play",
        "replacement": '                kind = "other"',
        "tests": [EDGE_STATES + "TestOtherAgentsArchivedCustomerIsOutOfPlay"],
    },
    {
        "id": "lookup-order-other-before-own-trash",
        "rule": "import lookup",
        "file": "models/customer_import.py",
        "original": (
            'LOOKUP_ORDER = ("own", "own_trash", "own_archived", "other", "other_trash")'
        ),
        "replacement": (
            'LOOKUP_ORDER = ("own", "other", "own_archived", "own_trash", "other_trash")'
        ),
        "tests": [T + "test_transfer_rules.py::TestLookupOrder"],
    },
    # -- import guards -------------------------------------------------------
    {
        "id": "mass-trash-share-strict",
        "rule": "import guards",
        "file": "models/customer_import.py",
        "original": '        if share <= limits["max_trash_share"] and',
        "replacement": '        if share < limits["max_trash_share"] and',
        "tests": [EDGE_LIMITS + "TestMassTrashBoundaries"],
    },
    {
        "id": "mass-trash-count-strict",
        "rule": "import guards",
        "file": "models/customer_import.py",
        "original": 'trash_count <= limits["max_trash"]:',
        "replacement": 'trash_count < limits["max_trash"]:',
        "tests": [EDGE_LIMITS + "TestMassTrashBoundaries"],
    },
    {
        "id": "mass-trash-unconfirmed-applied",
        "rule": "import guards",
        "file": "models/customer_import.py",
        "original": (
            '        if plan["mass_trash"] and not plan["options"]["confirm_mass_trash"]:'
        ),
        "replacement": "        if False:",
        "tests": [T + "test_customer_import_guard.py::TestMassTrashGuard"],
    },
    {
        "id": "signature-without-salesperson",
        "rule": "import guards",
        "file": "wizards/customer_import_wizard.py",
        "original": "            self.filename,\n            self.user_id.id,\n",
        "replacement": "            self.filename,\n",
        "tests": [EDGE_LIMITS + "TestPreviewSignatureCoversEveryOption"],
    },
    {
        "id": "signature-without-company",
        "rule": "import guards",
        "file": "wizards/customer_import_wizard.py",
        "original": "            self.company_id.id,\n            self.import_mode,\n",
        "replacement": "            self.import_mode,\n",
        "tests": [EDGE_LIMITS + "TestPreviewSignatureCoversEveryOption"],
    },
    {
        "id": "signature-without-kinds",
        "rule": "import guards",
        "file": "wizards/customer_import_wizard.py",
        "original": "            sorted(self._chosen_transfer_kinds()),\n",
        "replacement": "",
        "tests": [EDGE_LIMITS + "TestPreviewSignatureCoversEveryOption"],
    },
    {
        "id": "file-size-at-limit-refused",
        "rule": "import guards",
        "file": "models/customer_import_reader.py",
        "original": "    if size > max_bytes:",
        "replacement": "    if size >= max_bytes:",
        "tests": [EDGE_LIMITS + "TestFileBoundaries"],
    },
    {
        "id": "rows-at-limit-refused",
        "rule": "import guards",
        "file": "models/customer_import_reader.py",
        "original": "            if count > self.max_rows:",
        "replacement": "            if count >= self.max_rows:",
        "tests": [EDGE_LIMITS + "TestFileBoundaries"],
    },
    {
        "id": "unzip-at-limit-refused",
        "rule": "import guards",
        "file": "models/customer_import_reader.py",
        "original": "        or unpacked > limit\n",
        "replacement": "        or unpacked >= limit\n",
        "tests": [EDGE_LIMITS + "TestFileBoundaries"],
    },
    {
        "id": "xlsx-shared-strings-count",
        "rule": "import guards",
        "file": "models/customer_import_xlsx.py",
        "original": "        if strings > shared_refs + self.max_rows:",
        "replacement": "        if strings >= shared_refs + self.max_rows:",
        "tests": [EDGE_LIMITS + "TestXlsxPartBoundaries"],
    },
    {
        "id": "xlsx-part-size-at-limit-refused",
        "rule": "import guards",
        "file": "models/customer_import_xlsx.py",
        "original": (
            "        if info.file_size > max_bytes:\n"
            "            raise self._too_complex()\n"
            "        return info"
        ),
        "replacement": (
            "        if info.file_size >= max_bytes:\n"
            "            raise self._too_complex()\n"
            "        return info"
        ),
        "tests": [EDGE_LIMITS + "TestXlsxPartBoundaries"],
    },
    {
        "id": "xlsx-metadata-unbounded",
        "rule": "import guards",
        "file": "models/customer_import_xlsx.py",
        "original": "        self._parse(workbook, META_MAX_BYTES, start=start)",
        "replacement": "        self._parse(workbook, SHEET_MAX_BYTES, start=start)",
        "tests": [EDGE_LIMITS + "TestXlsxPartBoundaries"],
    },
    {
        "id": "xlsx-cell-length",
        "rule": "import guards",
        "file": "models/customer_import_xlsx.py",
        "original": '            if cell["length"] > CELL_MAX_CHARS:',
        "replacement": '            if cell["length"] >= CELL_MAX_CHARS:',
        "tests": [EDGE_LIMITS + "TestXlsxPartBoundaries"],
    },
    {
        "id": "xlsx-last-column",
        "rule": "import guards",
        "file": "models/customer_import_xlsx.py",
        "original": "        if column >= MAX_COLUMNS:",
        "replacement": "        if column > MAX_COLUMNS:",
        "tests": [EDGE_LIMITS + "TestXlsxPartBoundaries"],
    },
    {
        "id": "xlsx-depth",
        "rule": "import guards",
        "file": "models/customer_import_xlsx.py",
        "original": "            if depth > MAX_DEPTH or",
        "replacement": "            if depth >= MAX_DEPTH or",
        "tests": [EDGE_LIMITS + "TestXlsxPartBoundaries"],
    },
    {
        "id": "xlsx-typed-formula-empty",
        "rule": "import guards",
        "file": "models/customer_import_xlsx.py",
        "original": '        if cell["f"] and not cell["v"]:',
        "replacement": '        if cell["f"] and not cell["v"] and kind != "str":',
        "tests": [EDGE_LIMITS + "TestTypedFormulaWithoutResult"],
    },
    # -- background import (the cron runner) --------------------------------
    {
        "id": "cron-normal-run-read-as-killed",
        "rule": "import guards",
        "file": "models/customer_import_log.py",
        "original": ".browse(progress_id).timed_out_counter > 1",
        "replacement": ".browse(progress_id).timed_out_counter > 0",
        "tests": [BACKGROUND + "test_cron_reports_progress_to_the_runner"],
    },
    {
        "id": "cron-halving-minus-one",
        "rule": "import guards",
        "file": "models/customer_import_log.py",
        "original": "log.chunk_lines = max(MIN_CHUNK_LINES, log.chunk_lines // 2)",
        "replacement": "log.chunk_lines = max(MIN_CHUNK_LINES, log.chunk_lines - 1)",
        "tests": [BACKGROUND + "test_chunk_of_eight_killed_is_retried_with_four"],
    },
    # -- visibility ----------------------------------------------------------
    {
        "id": "visibility-preview-names-everyone",
        "rule": "visibility",
        "file": "models/customer_import.py",
        "original": "            return partner.id in readable\n",
        "replacement": "            return True\n",
        "tests": [
            T + "test_security_visibility.py::TestRestrictedSalespersonLearnsNothing"
        ],
    },
]
