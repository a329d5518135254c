export declare const WIDGET_ENTRY: string
/** The minified widget script as text (esbuild, loaded on demand). */
export declare function buildWidgetScript(): Promise<string>
