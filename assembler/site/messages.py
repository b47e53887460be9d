"""The words of a Section's review page in the languages Sections read.

A page is in the first language of the reader's browser (``Accept-Language``) that the site
has words for, else in the language of the document under review, else in English. The
keys are the English words; a missing translation falls back to them. Clause text,
comments and names are data and are never translated.
"""

from __future__ import annotations

RIGHT_TO_LEFT = frozenset({"ar"})

_WORDS: dict[str, dict[str, str]] = {
    "review round": {"fr": "cycle de relecture", "es": "ronda de revisión", "de": "Prüfrunde",
                     "ar": "جولة المراجعة"},
    "Responses are due by {date}.": {"fr": "Réponses attendues au plus tard le {date}.",
                                     "es": "Las respuestas deben enviarse a más tardar el {date}.",
                                     "de": "Antworten bis spätestens {date}.", "ar": "آخر موعد للردود: {date}."},
    "No deadline is set.": {"fr": "Aucune date limite n'est fixée.", "es": "No hay fecha límite.",
                            "de": "Es ist keine Frist gesetzt.", "ar": "لم يُحدَّد موعد نهائي."},
    "This round is {state} and takes no more feedback.": {
        "fr": "Ce cycle est {state} et ne reçoit plus de commentaires.",
        "es": "Esta ronda está {state} y ya no admite comentarios.",
        "de": "Diese Runde ist {state} und nimmt keine Rückmeldungen mehr an.",
        "ar": "هذه الجولة {state} ولم تعد تقبل الملاحظات."},
    "closed": {"fr": "close", "es": "cerrada", "de": "geschlossen", "ar": "مغلقة"},
    "cancelled": {"fr": "annulé", "es": "cancelada", "de": "abgebrochen", "ar": "ملغاة"},
    "{document} version {version}": {"fr": "{document}, version {version}", "es": "{document}, versión {version}",
                                     "de": "{document}, Fassung {version}", "ar": "{document}، الإصدار {version}"},
    "The draft": {"fr": "Le projet", "es": "El borrador", "de": "Der Entwurf", "ar": "المسودة"},
    "The draft under review": {"fr": "Le projet soumis à la relecture", "es": "El borrador en revisión",
                               "de": "Der Entwurf zur Prüfung", "ar": "المسودة قيد المراجعة"},
    "What changed since the version you last saw": {
        "fr": "Ce qui a changé depuis la dernière version que vous avez vue",
        "es": "Qué ha cambiado desde la última versión que vio",
        "de": "Was sich seit der zuletzt gesehenen Fassung geändert hat",
        "ar": "ما الذي تغيّر منذ آخر إصدار اطّلعتم عليه"},
    "How to show the changes": {"fr": "Affichage des modifications", "es": "Cómo mostrar los cambios",
                                "de": "Darstellung der Änderungen", "ar": "طريقة عرض التغييرات"},
    "Side by side": {"fr": "Côte à côte", "es": "En paralelo", "de": "Nebeneinander", "ar": "جنبًا إلى جنب"},
    "Inline": {"fr": "Dans le texte", "es": "En el texto", "de": "Im Text", "ar": "ضمن النص"},
    "Changes side by side": {"fr": "Modifications côte à côte", "es": "Cambios en paralelo",
                             "de": "Änderungen nebeneinander", "ar": "التغييرات جنبًا إلى جنب"},
    "Changes inline": {"fr": "Modifications dans le texte", "es": "Cambios en el texto",
                       "de": "Änderungen im Text", "ar": "التغييرات ضمن النص"},
    "Version {n}": {"fr": "Version {n}", "es": "Versión {n}", "de": "Fassung {n}", "ar": "الإصدار {n}"},
    "Version {n} (under review)": {"fr": "Version {n} (en relecture)", "es": "Versión {n} (en revisión)",
                                   "de": "Fassung {n} (in Prüfung)", "ar": "الإصدار {n} (قيد المراجعة)"},
    "Review pack": {"fr": "Dossier de relecture", "es": "Paquete de revisión", "de": "Prüfunterlagen",
                    "ar": "ملف المراجعة"},
    "Comment or propose new wording": {"fr": "Commenter ou proposer une nouvelle formulation",
                                       "es": "Comentar o proponer una nueva redacción",
                                       "de": "Kommentieren oder eine neue Formulierung vorschlagen",
                                       "ar": "علّقوا أو اقترحوا صياغة جديدة"},
    "Paragraph": {"fr": "Paragraphe", "es": "Párrafo", "de": "Absatz", "ar": "الفقرة"},
    "General: the document as a whole": {"fr": "Général : le document dans son ensemble",
                                         "es": "General: el documento en su conjunto",
                                         "de": "Allgemein: das Dokument als Ganzes", "ar": "عام: الوثيقة ككل"},
    "Edit its wording": {"fr": "Modifier sa formulation", "es": "Editar su redacción",
                         "de": "Formulierung bearbeiten", "ar": "تعديل صياغتها"},
    "Comment": {"fr": "Commentaire", "es": "Comentario", "de": "Kommentar", "ar": "تعليق"},
    "Proposed wording (leave empty to comment only)": {
        "fr": "Formulation proposée (laisser vide pour un simple commentaire)",
        "es": "Redacción propuesta (déjela vacía para solo comentar)",
        "de": "Vorgeschlagene Formulierung (leer lassen, um nur zu kommentieren)",
        "ar": "الصياغة المقترحة (اتركوها فارغة للتعليق فقط)"},
    "Your change to the wording": {"fr": "Votre modification de la formulation", "es": "Su cambio de redacción",
                                   "de": "Ihre Änderung der Formulierung", "ar": "تعديلكم على الصياغة"},
    "Your change, word by word:": {"fr": "Votre modification, mot à mot :", "es": "Su cambio, palabra por palabra:",
                                   "de": "Ihre Änderung, Wort für Wort:", "ar": "تعديلكم، كلمةً كلمة:"},
    "No wording proposed: this sends a comment.": {
        "fr": "Aucune formulation proposée : ceci envoie un commentaire.",
        "es": "No se propone ninguna redacción: se enviará un comentario.",
        "de": "Keine Formulierung vorgeschlagen: Es wird ein Kommentar gesendet.",
        "ar": "لا صياغة مقترحة: سيُرسل تعليق."},
    "Preview the change": {"fr": "Prévisualiser la modification", "es": "Ver el cambio", "de": "Änderung ansehen",
                           "ar": "معاينة التعديل"},
    "Send to the editors": {"fr": "Envoyer aux rédacteurs", "es": "Enviar a los redactores",
                            "de": "An die Redaktion senden", "ar": "إرسال إلى المحررين"},
    "What your Section has sent": {"fr": "Ce que votre Section a envoyé", "es": "Lo que ha enviado su Sección",
                                   "de": "Was Ihre Sektion gesendet hat", "ar": "ما أرسله فرعكم"},
    "Nothing yet.": {"fr": "Rien pour l'instant.", "es": "Nada todavía.", "de": "Noch nichts.",
                     "ar": "لا شيء حتى الآن."},
    "Item": {"fr": "Point", "es": "Punto", "de": "Punkt", "ar": "البند"},
    "What was sent": {"fr": "Contenu envoyé", "es": "Lo enviado", "de": "Gesendet", "ar": "ما أُرسل"},
    "Decision": {"fr": "Décision", "es": "Decisión", "de": "Entscheidung", "ar": "القرار"},
    "not decided yet": {"fr": "pas encore décidé", "es": "sin decidir", "de": "noch nicht entschieden",
                        "ar": "لم يُبتّ فيه بعد"},
    "accepted": {"fr": "accepté", "es": "aceptado", "de": "angenommen", "ar": "مقبول"},
    "partly": {"fr": "accepté en partie", "es": "aceptado en parte", "de": "teilweise angenommen",
               "ar": "مقبول جزئيًا"},
    "rejected": {"fr": "rejeté", "es": "rechazado", "de": "abgelehnt", "ar": "مرفوض"},
    "noted": {"fr": "pris en note", "es": "tomado en cuenta", "de": "zur Kenntnis genommen", "ar": "أُخذ به علمًا"},
    "Recorded {items}. The editors will decide on it.": {
        "fr": "{items} enregistré. Les rédacteurs statueront.",
        "es": "Se ha registrado {items}. Los redactores decidirán.",
        "de": "{items} erfasst. Die Redaktion wird darüber entscheiden.",
        "ar": "سُجّل {items}. سيبتّ المحررون فيه."},
}
LANGUAGES = ("en", "fr", "es", "de", "ar")


def choose(accept_language: str, document_language: str = "en") -> str:
    """The page's language: the reader's first one the site speaks (by ``q``), else the
    document's, else English."""
    ranked = []
    for number, part in enumerate(accept_language.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, number, tag.strip().split("-")[0].lower()))
    for quality, _number, primary in sorted(ranked):
        if quality < 0 and primary in LANGUAGES:
            return primary
    primary = document_language.split("-")[0].lower()
    return primary if primary in LANGUAGES else "en"


def words(lang: str):
    """``t(english, **values)``: the words in ``lang`` with ``values`` filled in (plain
    text: the caller escapes the result)."""
    def t(english: str, **values: object) -> str:
        return _WORDS.get(english, {}).get(lang, english).format(**values)
    return t


def direction(lang: str) -> str:
    return "rtl" if lang in RIGHT_TO_LEFT else "ltr"
