import http.client, time, json, sys, threading, subprocess
pid=int(sys.argv[1]); dur=float(sys.argv[2])
c=http.client.HTTPConnection('127.0.0.1',8080)
body=json.dumps({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})
state={'start':None,'dumped':False}; n=[0]
def watchdog():
    while True:
        s=state['start']
        if s and not state['dumped'] and time.time()-s>0.3 and n[0]<4:
            state['dumped']=True; n[0]+=1
            out=subprocess.run(['/tmp/tools/dotnet-stack','report','-p',str(pid)],capture_output=True,text=True,timeout=60).stdout
            open(f'/tmp/stall/stacks{n[0]}.txt','w').write(out)
            print(time.strftime('%H:%M:%S'),'dumped',n[0],'at +%.2fs'%(time.time()-s),flush=True)
        time.sleep(0.02)
threading.Thread(target=watchdog,daemon=True).start()
t0=time.time()
while time.time()-t0<dur:
    state['dumped']=False; state['start']=time.time(); s=state['start']
    c.request('POST','/v1/chat/completions',body,{'Authorization':'Bearer sk-gateway-demo','Content-Type':'application/json'})
    r=c.getresponse(); r.read(); el=(time.time()-s)*1000; state['start']=None
    if el>250: print(time.strftime('%H:%M:%S'),'STALL %.0f ms'%el,flush=True)
    time.sleep(0.05)
