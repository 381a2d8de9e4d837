#!/usr/bin/env python3
"""A synthetic answer library and questionnaire for timing `trustpress answer`.

    python3 bench/answer_corpus.py ANSWERS QUESTIONS OUT_DIR

Copies the example ISMS to OUT_DIR/content with its FAQ replaced by ANSWERS generated
answers, and writes OUT_DIR/questions.csv with QUESTIONS questions: most reworded from an
answer's question (shuffled words, a word dropped), some made of words no answer uses.
Deterministic (a fixed seed)."""
import os
import random
import shutil
import sys

WORDS = """access account admin alert algorithm application approval architecture asset audit
authentication authorization availability backup badge baseline breach browser budget
certificate change classification client cloud code compliance configuration container
continuity contract control cookie credential cryptography customer dashboard data database
deletion deployment detection device disaster disclosure disk domain email employee encryption
endpoint environment escalation event evidence exception export firewall forensics framework
governance hardware hashing identity incident integrity inventory isolation key laptop ledger
license log maintenance malware management monitoring network notification offboarding
onboarding password patch payment penetration permission personal phishing physical policy
portability privacy privilege procedure process production provider provisioning recovery
region registry release remediation report request resilience responsibility restore retention
review risk role rotation router sandbox scanning secret segmentation server service session
software staff storage supplier support system tenant testing threat token training transfer
transport update upload user vendor version vulnerability warehouse workstation""".split()
FILLER = "how what when which does do you your is are the a of for in on to with by and".split()

def sentence(rng, words, n):
    return " ".join(rng.choice(words) for _ in range(n))

def main():
    answers, questions, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rng = random.Random(17)
    content = os.path.join(out, "content")
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(os.path.join(os.path.dirname(__file__), "..", "content"), content)
    shutil.rmtree(os.path.join(content, "faq"))
    os.makedirs(os.path.join(content, "faq"))
    asked = []
    with open(os.path.join(content, "faq", "bench.yaml"), "w") as f:
        for i in range(answers):
            topic = rng.sample(WORDS, 5)
            question = " ".join(rng.choice(FILLER) + " " + w for w in topic) + "?"
            asked.append(topic)
            text = " ".join(sentence(rng, WORDS, 12) + "." for _ in range(5))
            f.write(f"- id: BENCH-{i:05}\n  question: {question}\n  answer: |\n    {text}\n"
                    f"  response: yes\n  audience: public\n")
    with open(os.path.join(out, "questions.csv"), "w") as f:
        f.write("Ref,Question,Answer,Comments\n")
        for i in range(questions):
            if i % 10 == 9:
                words = ["zyxel%d" % rng.randrange(10**6) for _ in range(5)]
            else:
                words = list(rng.choice(asked))
                rng.shuffle(words)
                words.pop()
            f.write(f"Q{i},Do you have {' '.join(words)}?,,\n")

main()
