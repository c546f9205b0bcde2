import { createContext, useContext } from 'react';
import type { LabActions } from './lab.ts';

export const ActionsContext = createContext<LabActions | null>(null);

export function useActions(): LabActions {
  const a = useContext(ActionsContext);
  if (!a) throw new Error('useActions outside <ActionsContext.Provider>');
  return a;
}
