#!/usr/bin/python3
"""Writes the "countries" section of web/texts.json (country names in English and French by ISO 3166-1 code)
from Debian's iso-codes package. Run again after an iso-codes update: /usr/bin/python3 scripts/countries.py"""
import collections
import gettext
import json
import pathlib

ISO = pathlib.Path('/usr/share/iso-codes/json/iso_3166-1.json')
TEXTS = pathlib.Path(__file__).resolve().parent.parent / 'web' / 'texts.json'

french = gettext.translation('iso_3166-1', localedir='/usr/share/locale', languages=['fr'])


def french_name(entry):
    common = entry.get('common_name')
    if common and french.gettext(common) != common:
        return french.gettext(common)
    return french.gettext(entry['name'])


entries = sorted(json.loads(ISO.read_text(encoding='utf-8'))['3166-1'], key=lambda e: e['alpha_2'])
countries = collections.OrderedDict(
    (e['alpha_2'], {'en': e.get('common_name', e['name']), 'fr': french_name(e)}) for e in entries)
texts = json.loads(TEXTS.read_text(encoding='utf-8'), object_pairs_hook=collections.OrderedDict)
texts['countries'] = countries
TEXTS.write_text(json.dumps(texts, ensure_ascii=False, indent=1) + '\n', encoding='utf-8')
print(f'{TEXTS}: {len(countries)} countries')
