// texts-loop.js: texts of the standard tree loaded by levels (view-standard.js).
import { addTexts } from './i18n.js';

addTexts({
  ja: {
    stExpand: '下位の項目を開く',
    stNoChildren: '下位の項目はありません。',
    stTreeNote: '見出しのボタンで下位の項目を開きます。',
  },
  en: {
    stExpand: 'Open the sub-items of',
    stNoChildren: 'No sub-items.',
    stTreeNote: 'Open a heading with its button to see what lies below it.',
  },
});
