"""Spanish search at build time, the same steps as lunr-languages' lunr.es.js in the browser
(assets/vendor/lunr-languages/): its trimmer, stop words and accent folding, copied from that
file (tests/site/test_search_languages.py checks they still agree), and the Snowball Spanish stemmer
from the snowballstemmer package, the algorithm lunr.es.js was generated from.
"""
from __future__ import annotations

import re

import snowballstemmer
from lunr.pipeline import Pipeline
from lunr.token import Token

WORD_CHARACTERS = "A-Za-z\xAA\xBA\xC0-\xD6\xD8-\xF6\xF8-\u02B8\u02E0-\u02E4\u1D00-\u1D25\u1D2C-\u1D5C\u1D62-\u1D65\u1D6B-\u1D77\u1D79-\u1DBE\u1E00-\u1EFF\u2071\u207F\u2090-\u209C\u212A\u212B\u2132\u214E\u2160-\u2188\u2C60-\u2C7F\uA722-\uA787\uA78B-\uA7AD\uA7B0-\uA7B7\uA7F7-\uA7FF\uAB30-\uAB5A\uAB5C-\uAB64\uFB00-\uFB06\uFF21-\uFF3A\uFF41-\uFF5A"
STOP_WORDS = frozenset((
    "a al algo algunas algunos ante antes como con contra cual cuando de del desde donde durante e el "
    "ella ellas ellos en entre era erais eran eras eres es esa esas ese eso esos esta estaba estabais "
    "estaban estabas estad estada estadas estado estados estamos estando estar estaremos estará "
    "estarán estarás estaré estaréis estaría estaríais estaríamos estarían estarías estas este "
    "estemos esto estos estoy estuve estuviera estuvierais estuvieran estuvieras estuvieron estuviese "
    "estuvieseis estuviesen estuvieses estuvimos estuviste estuvisteis estuviéramos estuviésemos "
    "estuvo está estábamos estáis están estás esté estéis estén estés fue fuera fuerais fueran fueras "
    "fueron fuese fueseis fuesen fueses fui fuimos fuiste fuisteis fuéramos fuésemos ha habida "
    "habidas habido habidos habiendo habremos habrá habrán habrás habré habréis habría habríais "
    "habríamos habrían habrías habéis había habíais habíamos habían habías han has hasta hay haya "
    "hayamos hayan hayas hayáis he hemos hube hubiera hubierais hubieran hubieras hubieron hubiese "
    "hubieseis hubiesen hubieses hubimos hubiste hubisteis hubiéramos hubiésemos hubo la las le les "
    "lo los me mi mis mucho muchos muy más mí mía mías mío míos nada ni no nos nosotras nosotros "
    "nuestra nuestras nuestro nuestros o os otra otras otro otros para pero poco por porque que quien "
    "quienes qué se sea seamos sean seas seremos será serán serás seré seréis sería seríais seríamos "
    "serían serías seáis sido siendo sin sobre sois somos son soy su sus suya suyas suyo suyos sí "
    "también tanto te tendremos tendrá tendrán tendrás tendré tendréis tendría tendríais tendríamos "
    "tendrían tendrías tened tenemos tenga tengamos tengan tengas tengo tengáis tenida tenidas tenido "
    "tenidos teniendo tenéis tenía teníais teníamos tenían tenías ti tiene tienen tienes todo todos "
    "tu tus tuve tuviera tuvierais tuvieran tuvieras tuvieron tuviese tuvieseis tuviesen tuvieses "
    "tuvimos tuviste tuvisteis tuviéramos tuviésemos tuvo tuya tuyas tuyo tuyos tú un una uno unos "
    "vosotras vosotros vuestra vuestras vuestro vuestros y ya yo él éramos "
).split())
_LEADING = re.compile("^[^" + WORD_CHARACTERS + "]+")
_TRAILING = re.compile("[^" + WORD_CHARACTERS + "]+$")
_FOLD = str.maketrans("áàäâéèëêíìïîóòöôúùüû", "aaaaeeeeiiiioooouuuu")
_STEMMER = snowballstemmer.stemmer("spanish")


def trimmer(token: Token, i=None, tokens=None) -> Token:
    return token.update(lambda s, metadata=None: _TRAILING.sub("", _LEADING.sub("", s)))


def stop_word_filter(token: Token, i=None, tokens=None) -> Token | None:
    return None if str(token) in STOP_WORDS else token


def accent_fold(token: Token, i=None, tokens=None):
    """The word, and also without its accents when it has any (as accentFold-es does)."""
    folded = str(token).translate(_FOLD)
    return token if folded == str(token) else [token, token.clone(lambda s, metadata=None: folded)]


def stemmer(token: Token, i=None, tokens=None) -> Token:
    return token.update(lambda s, metadata=None: _STEMMER.stemWord(s))


# The labels are the browser's names for the same functions: the index names its search pipeline.
for function, label in ((trimmer, "trimmer-es"), (stop_word_filter, "stopWordFilter-es"),
                        (accent_fold, "accentFold-es"), (stemmer, "stemmer-es")):
    Pipeline.register_function(function, label)
PIPELINE = (trimmer, stop_word_filter, accent_fold, stemmer)
