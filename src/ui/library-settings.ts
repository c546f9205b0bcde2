/**
 * The library view's settings (search words and table order): part of LabSettings as `lib<Field>`,
 * so the URL restores the table as it was left; written to the URL only where they differ from
 * the defaults.
 */
import { SORT_KEYS, type SortDir } from '../library/query.ts';
import { choiceField, textField, type SettingsOf } from '../shared/fields.ts';
import { settingsGroup, type PageSettings } from './settings-group.ts';

export const MAX_SEARCH_LENGTH = 200;

const LIBRARY_FIELDS = {
  search: textField({ key: 'search', url: 'lib_q', label: 'library search', help: 'words every shown record holds', fallback: '', maxLength: MAX_SEARCH_LENGTH }),
  sort: choiceField({ key: 'sort', url: 'lib_sort', label: 'library order', help: 'the column the table is sorted by', fallback: 'savedAt', values: SORT_KEYS }),
  dir: choiceField<'dir', SortDir>({ key: 'dir', url: 'lib_dir', label: 'library direction', help: 'ascending or descending', fallback: 'desc', values: ['asc', 'desc'] }),
} as const;
type LibraryView = SettingsOf<typeof LIBRARY_FIELDS>;

export const LIBRARY_GROUP = settingsGroup('lib', LIBRARY_FIELDS);

export type LibrarySettings = PageSettings<'lib', LibraryView>;
