#!/usr/bin/env python3
"""Self-test for scripts/check-architecture.py: builds fake Sources/ trees in temporary folders
and checks each rule both ways. Run: python3 scripts/test_check_architecture.py"""

import importlib.util
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "check-architecture.py")
_spec = importlib.util.spec_from_file_location("check_architecture", SCRIPT)
arch = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(arch)


def func(name, lines, indent=""):
    """A Swift function of exactly `lines` lines (declaration to closing brace)."""
    body = [f"{indent}    let v{k} = {k}" for k in range(lines - 2)]
    return "\n".join([f"{indent}func {name}() {{"] + body + [f"{indent}}}"]) + "\n"


def filler(lines):
    return "".join(f"let constant{k} = {k}\n" for k in range(lines))


class Tree:
    """A temporary repository root with files under Sources/."""

    def __init__(self, files):
        self.dir = tempfile.TemporaryDirectory()
        self.root = self.dir.name
        os.makedirs(os.path.join(self.root, "Sources"), exist_ok=True)
        for rel, text in files.items():
            path = os.path.join(self.root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)

    def check(self):
        violations, _, _ = arch.check(self.root)
        return violations

    def rules(self):
        return [(v[0], v[1], v[2]) for v in self.check()]

    def close(self):
        self.dir.cleanup()


CLEAN = {
    "Sources/RunbookKit/Support/Bytes.swift": "public struct ByteBuffer {}\nfunc hexEncode(_ b: [UInt8]) -> String { \"\" }\n",
    "Sources/RunbookKit/Document/Model.swift": "public struct RunbookModel { var buffer: ByteBuffer }\n",
    "Sources/RunbookKit/Journal/Record.swift": "public struct JournalEntry { var model: RunbookModel }\n",
    "Sources/RunbookKit/Plan/Plan.swift": "public struct PlanStep { var entry: JournalEntry; var model: RunbookModel }\n",
    "Sources/RunbookKit/Execution/Runner.swift": (
        "public final class StepRunner {\n"
        "    let step: PlanStep\n"
        "    let entry: JournalEntry\n"
        "    init(step: PlanStep, entry: JournalEntry) { self.step = step; self.entry = entry }\n"
        "}\n" + func("spawnStep", 80)
    ),
    "Sources/runbook/Check.swift": "import RunbookKit\nstruct Check { let runner: StepRunner }\n",
}


class TreeTestCase(unittest.TestCase):
    def tree(self, files):
        t = Tree(files)
        self.addCleanup(t.close)
        return t


class CleanTree(TreeTestCase):
    def test_clean_tree_passes(self):
        self.assertEqual(self.tree(CLEAN).check(), [])

    def test_command_line_clean(self):
        t = self.tree(CLEAN)
        run = subprocess.run([sys.executable, SCRIPT, t.root], capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertRegex(run.stdout.strip(), r"^architecture: 6 files, \d+ functions, 0 violations$")

    def test_command_line_violations(self):
        t = self.tree({**CLEAN, "Sources/RunbookKit/Support/Big.swift": filler(501)})
        run = subprocess.run([sys.executable, SCRIPT, t.root], capture_output=True, text=True)
        self.assertEqual(run.returncode, 1)
        self.assertIn("Sources/RunbookKit/Support/Big.swift:501: file-length: 501 lines (max 500)", run.stdout)
        self.assertTrue(run.stdout.strip().endswith("1 violations"))

    def test_missing_sources_is_a_usage_error(self):
        with tempfile.TemporaryDirectory() as empty:
            run = subprocess.run([sys.executable, SCRIPT, empty], capture_output=True, text=True)
            self.assertEqual(run.returncode, 2)


class FileLength(TreeTestCase):
    def test_500_lines_pass(self):
        self.assertEqual(self.tree({"Sources/Other/A.swift": filler(500)}).check(), [])

    def test_501_lines_fail(self):
        self.assertEqual(self.tree({"Sources/Other/A.swift": filler(501)}).rules(),
                         [("Sources/Other/A.swift", 501, "file-length")])


class CommandLength(TreeTestCase):
    def test_120_lines_pass(self):
        self.assertEqual(self.tree({"Sources/runbook/Run.swift": filler(120)}).check(), [])

    def test_121_lines_fail(self):
        self.assertEqual(self.tree({"Sources/runbook/Run.swift": filler(121)}).rules(),
                         [("Sources/runbook/Run.swift", 121, "command-length")])

    def test_other_targets_are_not_command_files(self):
        self.assertEqual(self.tree({"Sources/runbook-bench/main.swift": filler(121)}).check(), [])


class FunctionLength(TreeTestCase):
    def lengths(self, source):
        info = arch.FileInfo("Sources/X.swift", textwrap.dedent(source))
        return {(name, end - start + 1) for name, start, end in info.functions}

    def test_80_line_function_passes(self):
        self.assertEqual(self.tree({"Sources/Other/A.swift": func("f", 80)}).check(), [])

    def test_81_line_function_fails(self):
        v = self.tree({"Sources/Other/A.swift": "import Foundation\n\n" + func("f", 81)}).check()
        self.assertEqual(v, [("Sources/Other/A.swift", 3, "function-length", "'f' is 81 lines (max 80)")])

    def test_method_init_deinit_subscript(self):
        body = "\n".join(f"        _ = {k}" for k in range(79))
        source = (
            "struct S {\n"
            f"    init(x: Int) {{\n{body}\n    }}\n"
            f"    deinit {{\n{body}\n    }}\n"
            f"    subscript(i: Int) -> Int {{\n{body}\n        return i\n    }}\n"
            f"    mutating func m<T>(_ t: T) throws -> [T] where T: Equatable {{\n{body}\n        return []\n    }}\n"
            "}\n"
        )
        rules = self.tree({"Sources/Other/S.swift": source}).check()
        self.assertEqual([m for *_, m in rules], [
            "'init' is 81 lines (max 80)", "'deinit' is 81 lines (max 80)",
            "'subscript' is 82 lines (max 80)", "'m' is 82 lines (max 80)",
        ])

    def test_computed_property_and_closure_at_type_and_file_scope(self):
        body = "\n".join(f"    _ = {k}" for k in range(80))
        source = (
            f"let table: [Int] = {{\n{body}\n    return []\n}}()\n"
            f"struct S {{\n    var total: Int {{\n{body}\n        return 0\n    }}\n"
            f"    static let make = {{ (x: Int) in\n{body}\n    }}\n}}\n"
        )
        rules = self.tree({"Sources/Other/S.swift": source}).check()
        self.assertEqual([m for *_, m in rules], [
            "'table' is 83 lines (max 80)", "'total' is 83 lines (max 80)", "'make' is 82 lines (max 80)",
        ])

    def test_stored_properties_and_local_closures_are_not_functions(self):
        self.assertEqual(self.lengths("""\
            struct S {
                var a: Int
                let b = [1, 2]
                var c: Int = 0
                func f() {
                    let g = {
                        print(1)
                    }
                    g()
                }
            }
            """), {("f", 6)})

    def test_nested_function_counts_inside_parent(self):
        inner = func("inner", 50, indent="    ")
        source = "func outer() {\n" + inner + "\n".join(f"    _ = {k}" for k in range(29)) + "\n}\n"
        info = arch.FileInfo("Sources/X.swift", source)
        self.assertEqual({(n, e - s + 1) for n, s, e in info.functions}, {("inner", 50), ("outer", 81)})
        self.assertEqual([r[2] for r in self.tree({"Sources/Other/A.swift": source}).rules()], ["function-length"])

    def test_protocol_requirements_have_no_body(self):
        self.assertEqual(self.lengths("""\
            protocol P {
                func a() -> Int
                init(x: Int)
                var b: Int { get }
                subscript(i: Int) -> Int { get }
            }
            func after() {
                print(1)
            }
            """), {("after", 3)})

    def test_calls_to_init_are_not_declarations(self):
        self.assertEqual(self.lengths("""\
            struct S {
                init() {
                    self.init(x: 1)
                    let s = S.init()
                    let t: S = .init()
                }
            }
            """), {("init", 5)})

    def test_default_argument_closure_in_signature(self):
        self.assertEqual(self.lengths("""\
            func f(onDone: () -> Void = { print("}") },
                   other: Int = 0) {
                onDone()
            }
            """), {("f", 4)})

    def test_braces_in_strings_and_comments_do_not_confuse_the_counter(self):
        source = textwrap.dedent('''\
            func tricky() {
                let a = "{ \\" {"
                let b = #"} "{" \\#(a) }"#
                let c = ##"}"#{"##
                let d = """
                    {{{ " "" \\""" }
                    """
                let e = #"""
                    }}} """ \\#(b) {
                    """#
                let f = "\\(a.map { "}{" + $0 })}"
                let g = "\\("nested \\("}")")"
                // } {
                /* } /* nested { */ } */
                /// {
                let h = [a, b, c, d, e, f, g].joined() // }
            }
            func next() {
                let x = 1
            }
            ''')
        info = arch.FileInfo("Sources/X.swift", source)
        self.assertIsNone(info.unbalanced)
        self.assertEqual({(n, e - s + 1) for n, s, e in info.functions}, {("tricky", 17), ("next", 3)})

    def test_braces_in_strings_hide_an_81_line_function(self):
        filler_lines = "\n".join(f'    let s{k} = "}}{k}" // }}' for k in range(79))
        source = "func long() {\n" + filler_lines + "\n}\n"
        self.assertEqual(self.tree({"Sources/Other/A.swift": source}).rules(),
                         [("Sources/Other/A.swift", 1, "function-length")])

    def test_unbalanced_braces_are_reported(self):
        self.assertEqual([r[2] for r in self.tree({"Sources/Other/A.swift": "func f() {\n"}).rules()], ["parse"])


class Dependencies(TreeTestCase):
    def test_forbidden_dependency_fails(self):
        files = {**CLEAN, "Sources/RunbookKit/Journal/History.swift": "struct History {\n    let runner: StepRunner\n}\n"}
        self.assertEqual(self.tree(files).check(), [(
            "Sources/RunbookKit/Journal/History.swift", 2, "dependency", "Journal uses 'StepRunner' from Execution",
        )])

    def test_each_forbidden_edge(self):
        decl = {
            "Support": "struct SupportThing {}", "Context": "struct ContextThing {}",
            "Document": "struct DocumentThing {}", "Plan": "struct PlanThing {}",
            "Execution": "struct ExecutionThing {}", "Journal": "struct JournalThing {}",
            "Export": "func exportThing() {}",
        }
        uses = {"Support": "ContextThing", "Context": "SupportThing", "Document": "ContextThing",
                "Plan": "JournalThing", "Journal": "DocumentThing", "Execution": "PlanThing",
                "Export": "ExecutionThing"}
        forbidden = {"Support": "DocumentThing", "Context": "JournalThing", "Document": "PlanThing",
                     "Plan": "ExecutionThing", "Journal": "PlanThing", "Execution": "exportThing"}
        base = {f"Sources/RunbookKit/{f}/Decl.swift": text + "\n" for f, text in decl.items()}
        allowed = {f"Sources/RunbookKit/{f}/Use.swift": f"let x = {name}()\n" for f, name in uses.items()}
        self.assertEqual(self.tree({**base, **allowed}).check(), [])
        for folder, name in forbidden.items():
            with self.subTest(folder=folder):
                t = self.tree({**base, f"Sources/RunbookKit/{folder}/Use.swift": f"let x = {name}()\n"})
                self.assertEqual([m for *_, m in t.check()], [f"{folder} uses '{name}' from {name_owner(name)}"])

    def test_nested_types_subfolders_and_free_functions(self):
        files = {
            "Sources/RunbookKit/Execution/Process/Table.swift":
                "enum Outer {\n    struct InnerRow {}\n}\npublic func signalLabel(_ s: Int32) -> String { \"\" }\n",
            "Sources/RunbookKit/Journal/Read/Use.swift":
                "let r: Outer.InnerRow? = nil\nlet s = signalLabel(1)\nlet t = x.signalLabel\nf(signalLabel: 1)\n",
        }
        self.assertEqual(self.tree(files).rules(), [
            ("Sources/RunbookKit/Journal/Read/Use.swift", 1, "dependency"),
            ("Sources/RunbookKit/Journal/Read/Use.swift", 1, "dependency"),
            ("Sources/RunbookKit/Journal/Read/Use.swift", 2, "dependency"),
        ])

    def test_comments_strings_short_ambiguous_and_private_names_are_ignored(self):
        files = {
            "Sources/RunbookKit/Execution/A.swift":
                "struct StepRunner {}\nstruct Row {}\nstruct Shared {}\nprivate struct Hidden {}\n",
            "Sources/RunbookKit/Document/B.swift": "struct Shared {}\n",
            "Sources/RunbookKit/Journal/C.swift": (
                "// StepRunner in a comment\n/* StepRunner */\nlet s = \"StepRunner \\(1)\"\n"
                "let p = Row()\nlet q = Shared()\nlet h = Hidden()\n"
            ),
        }
        self.assertEqual(self.tree(files).check(), [])

    def test_name_inside_interpolation_counts(self):
        files = {
            "Sources/RunbookKit/Execution/A.swift": "struct StepRunner {}\n",
            "Sources/RunbookKit/Journal/C.swift": "let s = \"run: \\(StepRunner())\"\n",
        }
        self.assertEqual([r[2] for r in self.tree(files).rules()], ["dependency"])

    def test_terminal_names_in_plan_and_journal(self):
        files = {
            "Sources/RunbookKit/Plan/A.swift": "let tty = isatty(1) // Console\n",
            "Sources/RunbookKit/Journal/B.swift": "var t = termios()\nlet s = \"StatusLine\"\n",
            "Sources/RunbookKit/Execution/C.swift": "let tty = isatty(1)\nvar t = termios()\n",
        }
        self.assertEqual(self.tree(files).rules(), [
            ("Sources/RunbookKit/Journal/B.swift", 1, "terminal-io"),
            ("Sources/RunbookKit/Plan/A.swift", 1, "terminal-io"),
        ])


def name_owner(name):
    return {"DocumentThing": "Document", "JournalThing": "Journal", "PlanThing": "Plan",
            "ExecutionThing": "Execution", "exportThing": "Export"}[name]


class Masking(unittest.TestCase):
    def test_mask_keeps_length_lines_and_interpolated_code(self):
        src = 'let a = "x { \\(value) }" // c {\nlet b = 1\n'
        masked = arch.mask(src)
        self.assertEqual(len(masked), len(src))
        self.assertEqual(masked.count("\n"), 2)
        self.assertNotIn("{", masked)
        self.assertIn("value", masked)
        self.assertIn("let b = 1", masked)


if __name__ == "__main__":
    unittest.main(verbosity=1)
