"""The category a report's free text suggests: keyword rules at first, a model trained on the city's own classified
reports later; the moderator sees it with its confidence, and what they choose is kept."""

from django.core.management import call_command

from reports import services
from reports.classify import suggest_category
from reports.models import CategoryModel, Report

from .helpers import work


def test_keywords_suggest_a_category_before_there_is_anything_to_learn_from(city):
    category, confidence = suggest_category("The tap gives no water at all")
    assert category == city.water and 0 < confidence <= 1
    assert suggest_category("Something odd happened") == (None, None)


def test_a_model_trained_on_classified_reports_suggests_from_texts_without_keywords(city):
    lights = ["Dark street at night near school", "It is pitch dark by the bus stop", "No light in the lane",
              "The lane is dark after sunset", "Darkness on Rudaki street every evening"]
    holes = ["Car wheel damaged in a crater", "Huge crater in the asphalt", "Crater after the rain on Somoni",
             "Deep crater near the market", "A crater swallowed my bicycle wheel"]
    Report.objects.bulk_create([Report(reference=f"PR-T-{n}", description=text, category=category,
                                       channel=Report.Channel.WEB)
                                for n, (text, category) in enumerate(
                                    [(t, city.lighting) for t in lights * 5] + [(t, city.pothole) for t in holes * 5])])
    call_command("train_report_classifier")
    model = CategoryModel.objects.get()
    assert model.samples == 50 and model.categories == 2 and model.accuracy >= 0.9

    category, confidence = suggest_category("another crater on our road")
    assert category == city.pothole and confidence > 0.5
    assert suggest_category("so dark in the evening")[0] == city.lighting


def test_too_few_classified_reports_keep_the_keyword_rules(city, capsys):
    call_command("train_report_classifier")
    assert "Too few classified reports" in capsys.readouterr().out and not CategoryModel.objects.exists()


def test_the_moderator_sees_the_suggestion_and_their_choice_is_kept(city):
    report = services.report_submit(channel=Report.Channel.SMS, description="water pipe burst in the yard",
                                    contact_phone="+992900000001")
    assert report.category is None and report.suggested_category == city.water and report.suggestion_confidence
    flow = report.process.flow_class.instance
    task = report.process.task_set.get(flow_task=flow.moderate)
    assert flow.task_initial(task)["category"] == city.water.pk

    work(report, "moderate", city.dispatcher, decision="admit", category=city.pothole.pk)
    assert report.category == city.pothole and report.suggested_category == city.water
