import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Viewer } from './api';

/** Who is signed in: null before sign-in or without a token. */
export const ViewerContext = createContext<Viewer | null>(null);
export const useViewer = () => useContext(ViewerContext);
