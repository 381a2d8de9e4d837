"""Customer questionnaires for tests/browser/questionnaire.test.mjs, made with openpyxl in the
shapes customers send (our own wording; no standard's licensed text), and what openpyxl reads
back from a filled one.

    python3 questionnaires.py make DIR              caiq.xlsx, sig.xlsx, customer.xlsx, big.xlsx, many.xlsx in DIR
    python3 questionnaires.py questions DIR FILE    a CSV questionnaire of the questions in FILE (one per line)
    python3 questionnaires.py read FILE.xlsx        every sheet's values, dropdowns, merged cells
                                                    and formulas, as JSON
"""

import csv
import json
import re
import sys
from pathlib import Path

import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

HEADER_FILL = PatternFill("solid", fgColor="1F3864")
HEADER_FONT = Font(bold=True, color="FFFFFF")


def styled_header(sheet, row, titles):
    for column, title in enumerate(titles, start=1):
        cell = sheet.cell(row=row, column=column, value=title)
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT


def caiq(path):
    """A consensus-assessment-shaped sheet: a merged title, references, an inline dropdown,
    one row already answered, a formula, and a second sheet of notes."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Assessment"
    sheet["A1"] = "Cloud security self-assessment (fixture wording)"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells("A1:E1")
    styled_header(sheet, 3, ["Question ID", "Question", "CSP CAIQ Answer", "SSRM Control Ownership", "CSP Implementation Description"])
    rows = [
        ("CEK-03.1", "Is data at rest encrypted with strong cryptography?"),
        ("IAM-14.1", "Is multi-factor authentication supported for customers?"),
        ("BCR-08.1", "Are backups of customer data taken and protected?"),
        ("HRS-11.1", "Do staff receive security awareness training?"),
        ("ZZZ-01.1", "Does the company run a staff cafeteria with vegetarian options?"),
        ("TVM-06.1", "Are penetration tests performed by independent testers?"),
        ("GRC-01.1", "Is there an information security policy?"),
    ]
    for offset, (reference, question) in enumerate(rows):
        sheet.cell(row=4 + offset, column=1, value=reference)
        sheet.cell(row=4 + offset, column=2, value=question)
    # Already answered by the customer's own team: left exactly as it is.
    sheet.cell(row=4 + len(rows), column=1, value="DSP-19.1")
    sheet.cell(row=4 + len(rows), column=2, value="Where is customer data stored?")
    sheet.cell(row=4 + len(rows), column=3, value="Yes")
    sheet.cell(row=4 + len(rows), column=5, value="Our own wording, kept.")
    sheet["D20"] = "=COUNTA(C4:C11)"
    dropdown = DataValidation(type="list", formula1='"Yes,No,NA"', allow_blank=True)
    sheet.add_data_validation(dropdown)
    dropdown.add("C4:C40")
    notes = book.create_sheet("Notes")
    notes["A1"] = "Version 3 of this questionnaire. Do not edit this sheet."
    book.save(path)


def sig(path):
    """A standardised-information-gathering-shaped workbook: one tab per domain, responses from a
    dropdown whose list is on a Lists sheet through a defined name."""
    book = openpyxl.Workbook()
    intro = book.active
    intro.title = "Instructions"
    intro["A1"] = "Answer each domain tab. Use the dropdown in the Response column."
    domains = {
        "Access Control": [
            ("1", "Is MFA enforced for administrative access?"),
            ("2", "Are user access rights reviewed periodically?"),
            ("3", "Is single sign-on via SAML supported?"),
        ],
        "Data Security": [
            ("1", "Is all traffic encrypted in transit with TLS?"),
            ("2", "Can customers export their data?"),
            ("3", "What happens to customer data at contract termination?"),
        ],
    }
    lists = book.create_sheet("Lists")
    for index, word in enumerate(["Y", "N", "N/A"], start=1):
        lists.cell(row=index, column=1, value=word)
    book.defined_names["ResponseWords"] = DefinedName("ResponseWords", attr_text="Lists!$A$1:$A$3")
    for name, questions in domains.items():
        sheet = book.create_sheet(name, index=len(book.sheetnames) - 1)
        sheet["A1"] = f"{name} (fixture wording)"
        styled_header(sheet, 2, ["Ques Num", "Question/Request", "Response", "Additional Information", "Scoring"])
        for offset, (number, question) in enumerate(questions):
            sheet.cell(row=3 + offset, column=1, value=number)
            sheet.cell(row=3 + offset, column=2, value=question)
            sheet.cell(row=3 + offset, column=5, value=f"=IF(C{3 + offset}=\"Y\",1,0)")
        dropdown = DataValidation(type="list", formula1="ResponseWords", allow_blank=True)
        sheet.add_data_validation(dropdown)
        dropdown.add("C3:C50")
    book.save(path)


def customer(path):
    """A customer's own sheet: instructions above the header, section headings, an evidence
    column, yes/no dropdown, a styled answer column and one row already answered."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Vendor review"
    sheet["A1"] = "Please answer every question. Use the dropdown for Yes/No."
    styled_header(sheet, 2, ["#", "Requirement", "Yes/No", "Comments", "Evidence / link"])
    rows = [
        ("", "Access control"),
        ("1.1", "Can we enforce MFA for our users?"),
        ("1.2", "How quickly is access removed when an employee leaves?"),
        ("", "Data protection"),
        ("2.1", "Do you transfer personal data outside the EEA?"),
        ("2.2", "Do you use production data for testing?"),
        ("2.3", "Is there a dedicated on-site security guard at every office?"),
    ]
    for offset, (number, text) in enumerate(rows):
        sheet.cell(row=3 + offset, column=1, value=number)
        sheet.cell(row=3 + offset, column=2, value=text)
        sheet.cell(row=3 + offset, column=4).fill = PatternFill("solid", fgColor="FFF2CC")
    sheet.cell(row=3 + len(rows), column=1, value="2.4")
    sheet.cell(row=3 + len(rows), column=2, value="Do you have a documented incident response plan?")
    sheet.cell(row=3 + len(rows), column=3, value="No")
    dropdown = DataValidation(type="list", formula1='"Yes,No"', allow_blank=True)
    sheet.add_data_validation(dropdown)
    dropdown.add("C3:C60")
    book.save(path)


def awkward(path):
    """Answer cells whose values do not show what they hold. Row 2's comment cell holds a
    formula a script wrote, never computed (it reads as empty): the row is the customer's. Row
    4's response cell is inside a merged area: its answer cannot be written whole, so a person
    fills it. Row 3 asks the same and is answered."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Review"
    styled_header(sheet, 1, ["#", "Question", "Response", "Comments"])
    for number in ("1", "2", "3"):
        sheet.append([number, "Do you perform penetration tests?", None, None])
    sheet["D2"] = '="See our report for "&A2'
    sheet.merge_cells("B4:C4")
    book.save(path)


def eval_questions():
    text = (Path(__file__).resolve().parents[2] / "answer" / "eval.yaml").read_text(encoding="utf-8")
    return [json.loads(m) for m in re.findall(r'question: ("(?:[^"\\]|\\.)*")', text)]


def big(path, count=2000):
    """`count` questions (the evaluation set's, numbered and repeated) on one sheet."""
    questions = eval_questions()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Questions"
    sheet.append(["Ref", "Question", "Answer", "Comments", "Evidence"])
    for index in range(count):
        sheet.append([f"Q-{index + 1}", f"{questions[index % len(questions)]} (item {index + 1})"])
    book.save(path)


def many(path, sheets=300):
    """`sheets` small question sheets: slow to read in a browser (each sheet is inflated on its
    own), for the test of a file given while another is still being read."""
    questions = eval_questions()
    book = openpyxl.Workbook()
    book.remove(book.active)
    for index in range(sheets):
        sheet = book.create_sheet(f"Part {index + 1}")
        sheet.append(["Ref", "Question", "Answer"])
        for row in range(5):
            sheet.append([f"P{index + 1}-{row + 1}", questions[(index * 5 + row) % len(questions)]])
    book.save(path)


def questions_csv(folder, source):
    """A CSV questionnaire asking each line of `source`, word for word."""
    lines = [line.strip() for line in Path(source).read_text(encoding="utf-8").splitlines() if line.strip()]
    out = Path(folder) / "leak.csv"
    with out.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["Ref", "Question", "Answer", "Comments"])
        for index, line in enumerate(lines, start=1):
            writer.writerow([f"L-{index}", line, "", ""])


def read(path):
    book = openpyxl.load_workbook(path)
    sheets = {}
    for sheet in book.worksheets:
        values = [[("" if cell.value is None else str(cell.value)) for cell in row] for row in sheet.iter_rows()]
        sheets[sheet.title] = {
            "values": values,
            "dropdowns": [[str(v.sqref), v.formula1] for v in sheet.data_validations.dataValidation],
            "merged": [str(r) for r in sheet.merged_cells.ranges],
            "fills": {
                cell.coordinate: cell.fill.fgColor.rgb
                for row in sheet.iter_rows()
                for cell in row
                if cell.fill is not None and cell.fill.fill_type == "solid"
            },
        }
    json.dump({"sheets": sheets, "names": list(book.defined_names.keys())}, sys.stdout)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "make":
        folder = Path(sys.argv[2])
        caiq(folder / "caiq.xlsx")
        sig(folder / "sig.xlsx")
        customer(folder / "customer.xlsx")
        awkward(folder / "awkward.xlsx")
        big(folder / "big.xlsx")
        many(folder / "many.xlsx")
    elif command == "questions":
        questions_csv(sys.argv[2], sys.argv[3])
    elif command == "read":
        read(sys.argv[2])
    else:
        sys.exit(f"unknown command {command}")
