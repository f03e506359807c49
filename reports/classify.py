"""The category a report's free text suggests (an SMS, an e-mail, a call noted down): shown to the moderator with
its confidence; the moderator's choice is what the report keeps.

Before the municipality has classified reports of its own, keyword rules decide (each category's keywords, in
every language). Once it has, ``manage.py train_report_classifier`` trains a small scikit-learn model on them (TF-IDF
of character n-grams, which copes with Russian endings and misspelt SMS, and a logistic regression), and the newest
model decides from then on."""

import io
import re
from functools import lru_cache

import joblib

from .models import Category, CategoryModel, Report

#: fewer classified reports than this, or fewer than two categories among them: keyword rules only
MIN_SAMPLES = 40
_WORD = re.compile(r"\w+", re.UNICODE)


def _keyword_suggestion(text):
    words = " ".join(_WORD.findall(text.lower()))
    scores = {}
    for category in Category.objects.filter(active=True).select_related("parent"):
        hits = sum(1 for keyword in category.keyword_list() if re.search(rf"(?<!\w){re.escape(keyword)}", words))
        if hits:
            scores[category] = hits + (0.5 if category.parent_id else 0)  # the more precise category wins a tie
    if not scores:
        return None, None
    best = max(scores, key=lambda c: (scores[c], c.pk))
    return best, round(scores[best] / (sum(scores.values()) + 1), 2)


@lru_cache(maxsize=2)
def _loaded(pk):
    row = CategoryModel.objects.filter(pk=pk).only("model").first()
    return joblib.load(io.BytesIO(bytes(row.model))) if row is not None else None


def suggest_category(text):
    """``(category, confidence between 0 and 1)`` the text suggests, or ``(None, None)``."""
    text = (text or "").strip()
    if not text:
        return None, None
    newest = CategoryModel.objects.values_list("pk", flat=True).first()
    pipeline = _loaded(newest) if newest else None
    if pipeline is None:
        return _keyword_suggestion(text)
    probabilities = pipeline.predict_proba([text])[0]
    best = probabilities.argmax()
    category = Category.objects.filter(pk=int(pipeline.classes_[best]), active=True).first()
    if category is None:
        return _keyword_suggestion(text)
    return category, round(float(probabilities[best]), 2)


def train(*, min_samples=MIN_SAMPLES):
    """Train on every report a person classified (filed with a category, or given one in moderation) and keep
    the model; None when there is too little to learn from. Measures accuracy on a fifth held out."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline

    rows = list(Report.objects.exclude(category=None).values_list("description", "category_id"))
    labels = [str(category) for _text, category in rows]
    if len(rows) < min_samples or len(set(labels)) < 2:
        return None
    texts = [text for text, _category in rows]

    def pipeline():
        return make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=1),
                             LogisticRegression(max_iter=1000, C=10.0))

    accuracy = None
    counts = {label: labels.count(label) for label in set(labels)}
    if min(counts.values()) >= 2 and len(rows) >= 5 * len(counts):
        train_x, test_x, train_y, test_y = train_test_split(texts, labels, test_size=0.2, random_state=0,
                                                            stratify=labels)
        accuracy = round(float(pipeline().fit(train_x, train_y).score(test_x, test_y)), 3)
    model = pipeline().fit(texts, labels)
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    return CategoryModel.objects.create(samples=len(rows), categories=len(counts), accuracy=accuracy,
                                        model=buffer.getvalue())
